// `sqlx::migrate!` embeds the migrations at compile time; without this a new or edited migration
// file is not seen until something else makes the crate rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
