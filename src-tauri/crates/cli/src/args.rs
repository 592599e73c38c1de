use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "ordertray-cli",
    version,
    about = "Ordertray without a window: accounts, sync, triage, outbox"
)]
pub struct Cli {
    /// SQLite database file (default: $ORDERTRAY_DB, else the app's data directory).
    #[arg(long, global = true)]
    pub db: Option<PathBuf>,
    /// How long one marketplace request may take, in seconds.
    #[arg(long, global = true, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub http_timeout_secs: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Marketplace accounts.
    #[command(subcommand)]
    Accounts(AccountsCmd),
    /// Poll the marketplaces: once, or on each account's schedule until interrupted.
    Sync {
        /// One run per account, then exit.
        #[arg(long)]
        once: bool,
        /// Only this account (id or name).
        #[arg(long)]
        account: Option<String>,
        /// How long this process's run counts as alive after each page it stores (default: as an
        /// outbox row's lease). Another process picks up the new orders of a run whose lease ran
        /// out (their rules and popup); shorter only for tests that kill the process.
        #[arg(long, hide = true)]
        lease_secs: Option<u64>,
    },
    /// External orders.
    #[command(subcommand)]
    Orders(OrdersCmd),
    /// Send shop orders to other systems (CRMs, delivery services) and see how it went.
    #[command(subcommand)]
    Transfer(TransferCmd),
    /// Triage order lines: accept, reject, delete or restore.
    Lines {
        action: LineAction,
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Queued marketplace calls.
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// The shop's price lists.
    #[command(subcommand)]
    Pricelist(PricelistCmd),
    /// Offers from the price lists.
    #[command(subcommand)]
    Offers(OffersCmd),
    /// Automatic processing rules.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Export the shop's orders (All orders) to a file.
    #[command(subcommand)]
    Export(ExportCmd),
    /// The catalog: products the store platforms' items made.
    #[command(subcommand)]
    Products(ProductsCmd),
    /// The shop's customers.
    #[command(subcommand)]
    Customers(CustomersCmd),
    /// The shop's own settings.
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Run headless: sync every account on its schedule, deliver the outbox, and serve the order
    /// intake (the address Gettzap pushes orders to) until interrupted.
    Serve(ServeArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The address the intake listens on (0.0.0.0: every interface).
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// The intake's port (0: any free port; the one chosen is printed).
    #[arg(long, default_value_t = ordertray_core::intake::DEFAULT_INTAKE_PORT)]
    pub port: u16,
    /// The address Gettzap reaches this machine at (a public name or a tunnel), for the printed
    /// intake addresses.
    #[arg(long, default_value = "")]
    pub public_url: String,
    /// How long a pre-order's buyer link (served by the intake) works, in days.
    #[arg(long, default_value_t = 7)]
    pub preorder_link_days: u32,
    /// Serve the intake only: no polling, no outbox delivery.
    #[arg(long)]
    pub intake_only: bool,
}

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// CSV with the same options, and the same bytes, as the app's export dialog.
    Csv(ExportCsvArgs),
}

#[derive(Args, Debug)]
pub struct ExportCsvArgs {
    #[arg(long)]
    pub out: PathBuf,
    /// utf-8 (with a byte-order mark) or cp1251.
    #[arg(long, default_value = "utf-8")]
    pub encoding: String,
    /// `,`, `;` or `tab`.
    #[arg(long, default_value = ",")]
    pub delimiter: String,
    /// Only orders in this shop status: its id, code ("accepted") or name.
    #[arg(long)]
    pub status: Option<String>,
    /// month, 3months, year or all.
    #[arg(long, default_value = "all")]
    pub period: String,
    /// Only this order type: standard, through or export.
    #[arg(long)]
    pub order_type: Option<String>,
    /// Only this payment method: cash_on_delivery, card_on_delivery, card_online, prepaid, or card
    /// (on delivery and online).
    #[arg(long)]
    pub payment: Option<String>,
    /// Only paid (true) or unpaid (false) orders.
    #[arg(long)]
    pub paid: Option<bool>,
    /// Comma-separated columns, in order (default: the dialog's default set). Item columns
    /// (item_article, item_brand, item_name, item_quantity, item_price) give a row per item.
    #[arg(long)]
    pub columns: Option<String>,
    /// Language of titles and words: en, ru or pl (default: from LANG).
    #[arg(long)]
    pub lang: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum PricelistCmd {
    /// Import a CSV or spreadsheet file, replacing the list's offers (created when new).
    Import {
        path: PathBuf,
        #[arg(long)]
        name: String,
        /// CSV delimiter: one character or "tab" (detected when absent).
        #[arg(long)]
        delimiter: Option<String>,
        /// CSV encoding: utf-8 or cp1251 (detected when absent).
        #[arg(long)]
        encoding: Option<String>,
        /// Where the fields are, by 1-based position or header title:
        /// brand=1,article=2,name=3,price=4,stock=5,days=6,supplier=7 (article and price required).
        /// Without it: the list's remembered mapping, else one guessed from the header.
        #[arg(long)]
        columns: Option<String>,
        /// The first row is data, not titles (detected when absent).
        #[arg(long)]
        no_header: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the price lists.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OffersCmd {
    /// Find offers by article (any spelling) or by words of brand, article and name.
    Search {
        text: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum ProductsCmd {
    /// Catalog products by name, narrowed by words of name, SKU, code or description.
    List {
        #[arg(long, default_value = "")]
        search: String,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum SettingsCmd {
    /// The currency the shop sells in (three letters: RUB, UAH, EUR); store platforms' orders
    /// must be in it. Without CODE, prints it.
    ShopCurrency { code: Option<String> },
}

#[derive(Subcommand, Debug)]
pub enum CustomersCmd {
    /// Customers, the most recent buyer first.
    List {
        #[arg(long, default_value_t = 1000)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCmd {
    /// Print an account's rules as JSON (the format `rules set` reads).
    Show {
        #[arg(long)]
        account: String,
    },
    /// Replace an account's rules with those in a JSON file (an array of rules, or a `rules show` document).
    Set {
        #[arg(long)]
        account: String,
        #[arg(long)]
        file: PathBuf,
        /// Run the rules on new lines after each sync.
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        /// Keep the rules but do not run them.
        #[arg(long)]
        disable: bool,
    },
    /// What the rules would do to the inbox now; changes nothing.
    DryRun {
        /// Only this account (id or name).
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AccountsCmd {
    /// Connect a marketplace account.
    #[command(subcommand)]
    Add(AddAccount),
    /// List accounts with their sync health.
    List {
        #[arg(long)]
        json: bool,
    },
    /// The marketplace's own status list for an account (ZZAP), loaded now.
    Statuses {
        /// Account id or name.
        account: String,
        #[arg(long)]
        json: bool,
    },
    /// The intake address to paste into Gettzap (it includes the account's token: keep it
    /// private), or a store's webhook delivery URL (WooCommerce, Shopify).
    IntakeUrl {
        /// Account id or name.
        account: String,
        /// Replace the token (or WooCommerce's webhook secret) first: the old one stops working.
        #[arg(long)]
        new_token: bool,
        /// Also print the secret to paste into the WooCommerce webhook's "Secret" field.
        #[arg(long)]
        webhook_secret: bool,
    },
    /// The account's sync log: its latest runs and the orders the import rules left out.
    Log {
        /// Account id or name.
        account: String,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// The latest requests that reached the intake (tokens are never kept).
    IntakeLog {
        /// Only this account (id or name).
        #[arg(long)]
        account: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// What a decision tells the marketplace: the "accepted" and "unconditional refusal" status
    /// and text (variables such as {order}, {name}, {qty}); options left out keep their value.
    Notices {
        /// Account id or name.
        account: String,
        #[arg(long)]
        accepted_status: Option<String>,
        #[arg(long)]
        accepted_notice: Option<String>,
        #[arg(long)]
        refusal_status: Option<String>,
        #[arg(long)]
        refusal_text: Option<String>,
    },
}

/// A marketplace login's password and API key: each from an environment variable named at run
/// time (never stored) or from standard input into the OS keychain.
#[derive(Args, Debug)]
pub struct LoginSecrets {
    /// Read the password at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "password_stdin",
        required_unless_present = "password_stdin"
    )]
    pub password_env: Option<String>,
    /// Read the password from standard input (first line) and store it in the OS keychain.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the API key (Gettzap: the office token) at run time from this environment variable;
    /// it is never stored.
    #[arg(
        long,
        conflicts_with = "api_key_stdin",
        required_unless_present = "api_key_stdin"
    )]
    pub api_key_env: Option<String>,
    /// Read the API key from standard input (after the password, if both) and store it in the
    /// OS keychain.
    #[arg(long)]
    pub api_key_stdin: bool,
}

#[derive(Args, Debug)]
pub struct GettzapAccountArgs {
    #[arg(long)]
    pub name: String,
    /// The Gettzap login.
    #[arg(long)]
    pub login: String,
    #[arg(long, default_value = "")]
    pub region: String,
    #[command(flatten)]
    pub secrets: LoginSecrets,
    /// Read the intake token Gettzap must send from this environment variable; without it a
    /// token is generated and kept in the OS keychain.
    #[arg(long)]
    pub intake_token_env: Option<String>,
    /// Gettzap's address for status calls (its API is not public; there is no default).
    #[arg(long)]
    pub base_url: Option<String>,
    /// The Gettzap statuses the shop uses (`accepted;refused`); the defaults when left out.
    #[arg(long, value_delimiter = ';')]
    pub statuses: Vec<String>,
    /// Pushed order statuses meaning the buyer cancelled; the defaults when left out.
    #[arg(long, value_delimiter = ';')]
    pub cancel_statuses: Vec<String>,
    /// Not used for polling: Gettzap pushes its orders, and each push is the account's sync.
    #[arg(long, default_value_t = 60)]
    pub interval: u32,
}

#[derive(Subcommand, Debug)]
pub enum AddAccount {
    /// An Ozon seller account (FBS / realFBS).
    Ozon(OzonAccountArgs),
    /// A ZZAP seller account (login = the account's e-mail; password and API key from ZZAP).
    Zzap(ZzapAccountArgs),
    /// A Gettzap shop: orders arrive at the intake (`serve`); statuses go back (format unverified).
    Gettzap(GettzapAccountArgs),
    /// A WooCommerce store (REST API v3: a read/write consumer key and secret).
    Woocommerce(WooCommerceAccountArgs),
    /// A Cartum (Horoshop) shop: its API logs in as an admin-panel user.
    Cartum(CartumAccountArgs),
    /// A Shopify shop, read by the shop's own app (client id and secret, or an old admin token).
    Shopify(ShopifyAccountArgs),
    /// An Amazon seller account (Selling Partner API: the LWA app's keys and a refresh token).
    Amazon(AmazonAccountArgs),
}

/// The Selling Partner API's regions.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RegionArg {
    Eu,
    Na,
    Fe,
}

/// Which of an item's facts finds its catalog product.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ProductKeyArg {
    Sku,
    Name,
    Id,
}

#[derive(Args, Debug)]
pub struct WooCommerceAccountArgs {
    #[arg(long)]
    pub name: String,
    /// The store's address (https://; http:// only on this computer).
    #[arg(long)]
    pub url: String,
    /// Read the consumer key at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "consumer_key_stdin",
        required_unless_present = "consumer_key_stdin"
    )]
    pub consumer_key_env: Option<String>,
    /// Read the consumer key from standard input (first line) into the OS keychain.
    #[arg(long)]
    pub consumer_key_stdin: bool,
    /// Read the consumer secret at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "consumer_secret_stdin",
        required_unless_present = "consumer_secret_stdin"
    )]
    pub consumer_secret_env: Option<String>,
    /// Read the consumer secret from standard input (after the key, if both) into the OS keychain.
    #[arg(long)]
    pub consumer_secret_stdin: bool,
    #[arg(long, value_enum, default_value = "sku")]
    pub identify_products_by: ProductKeyArg,
    /// Days of orders the first sync reads.
    #[arg(long, default_value_t = ordertray_connectors::woocommerce::WOOCOMMERCE_BACKFILL_DAYS)]
    pub backfill_days: u32,
    /// Leave new orders in the inbox for a decision instead of accepting them on arrival.
    #[arg(long)]
    pub no_accept_on_arrival: bool,
    /// Send the key as query parameters (for hosts that strip the Authorization header).
    #[arg(long)]
    pub key_in_query: bool,
    /// Poll interval in seconds.
    #[arg(long, default_value_t = 120)]
    pub interval: u32,
    #[arg(long, default_value = "")]
    pub region: String,
}

#[derive(Args, Debug)]
pub struct AmazonAccountArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum)]
    pub region: RegionArg,
    /// The marketplace the orders are read from (A1PA6795UKMFR9 is Germany).
    #[arg(long)]
    pub marketplace_id: String,
    /// The Login with Amazon app's client id.
    #[arg(long)]
    pub client_id: String,
    /// Read the client secret at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "client_secret_stdin",
        required_unless_present = "client_secret_stdin"
    )]
    pub client_secret_env: Option<String>,
    /// Read the client secret from standard input (first line) into the OS keychain.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// Read the refresh token at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "refresh_token_stdin",
        required_unless_present = "refresh_token_stdin"
    )]
    pub refresh_token_env: Option<String>,
    /// Read the refresh token from standard input (after the secret, if both) into the OS keychain.
    #[arg(long)]
    pub refresh_token_stdin: bool,
    /// Another API address than the region's (a proxy or a fake).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Another token endpoint than Login with Amazon's.
    #[arg(long)]
    pub token_url: Option<String>,
    #[arg(long, value_enum, default_value = "sku")]
    pub identify_products_by: ProductKeyArg,
    /// Days of orders the first sync reads.
    #[arg(long, default_value_t = ordertray_connectors::amazon::AMAZON_BACKFILL_DAYS)]
    pub backfill_days: u32,
    /// Leave new orders in the inbox for a decision instead of accepting them on arrival.
    #[arg(long)]
    pub no_accept_on_arrival: bool,
    /// Poll interval in seconds (searchOrders allows about one call in three minutes sustained).
    #[arg(long, default_value_t = 600)]
    pub interval: u32,
    #[arg(long, default_value = "")]
    pub region_label: String,
}

#[derive(Args, Debug)]
pub struct ShopifyAccountArgs {
    #[arg(long)]
    pub name: String,
    /// The shop: my-shop, my-shop.myshopify.com or its https:// address.
    #[arg(long)]
    pub shop: String,
    /// The app's client id (not needed with --admin-token).
    #[arg(long, default_value = "", required_unless_present = "admin_token")]
    pub client_id: String,
    /// Read the client secret (or the admin token) at run time from this environment variable;
    /// it is never stored.
    #[arg(
        long,
        conflicts_with = "client_secret_stdin",
        required_unless_present = "client_secret_stdin"
    )]
    pub client_secret_env: Option<String>,
    /// Read the client secret (or the admin token) from standard input into the OS keychain.
    #[arg(long)]
    pub client_secret_stdin: bool,
    /// The secret is an old custom app's admin API access token, not a client secret.
    #[arg(long)]
    pub admin_token: bool,
    /// The dated Admin API version.
    #[arg(long, default_value = ordertray_connectors::shopify::SHOPIFY_API_VERSION)]
    pub api_version: String,
    /// The app has the read_all_orders scope (the first sync may read past 60 days).
    #[arg(long)]
    pub read_all_orders: bool,
    #[arg(long, value_enum, default_value = "sku")]
    pub identify_products_by: ProductKeyArg,
    /// Days of orders the first sync reads (at most 60 without --read-all-orders).
    #[arg(long, default_value_t = ordertray_connectors::shopify::SHOPIFY_BACKFILL_DAYS)]
    pub backfill_days: u32,
    /// Leave new orders in the inbox for a decision instead of accepting them on arrival.
    #[arg(long)]
    pub no_accept_on_arrival: bool,
    /// Poll interval in seconds.
    #[arg(long, default_value_t = 120)]
    pub interval: u32,
    #[arg(long, default_value = "")]
    pub region: String,
}

#[derive(Args, Debug)]
pub struct CartumAccountArgs {
    #[arg(long)]
    pub name: String,
    /// The shop's address (https://; http:// only on this computer).
    #[arg(long)]
    pub url: String,
    /// The admin-panel user the API logs in as.
    #[arg(long)]
    pub login: String,
    /// Read the password at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "password_stdin",
        required_unless_present = "password_stdin"
    )]
    pub password_env: Option<String>,
    /// Read the password from standard input (first line) into the OS keychain.
    #[arg(long)]
    pub password_stdin: bool,
    /// The shop's time zone (an IANA name): Cartum's dates are local to it.
    #[arg(long, default_value = ordertray_connectors::cartum::CARTUM_TIMEZONE)]
    pub timezone: String,
    #[arg(long, value_enum, default_value = "sku")]
    pub identify_products_by: ProductKeyArg,
    /// Days of orders the first sync reads.
    #[arg(long, default_value_t = ordertray_connectors::cartum::CARTUM_BACKFILL_DAYS)]
    pub backfill_days: u32,
    /// Days of orders each later sync reads again (Cartum cannot list what changed).
    #[arg(long, default_value_t = ordertray_connectors::cartum::CARTUM_WINDOW_DAYS)]
    pub window_days: u32,
    /// Leave new orders in the inbox for a decision instead of accepting them on arrival.
    #[arg(long)]
    pub no_accept_on_arrival: bool,
    /// Poll interval in seconds.
    #[arg(long, default_value_t = 120)]
    pub interval: u32,
    #[arg(long, default_value = "")]
    pub region: String,
}

#[derive(Args, Debug)]
pub struct ZzapAccountArgs {
    #[arg(long)]
    pub name: String,
    /// The e-mail the ZZAP account is registered with.
    #[arg(long)]
    pub login: String,
    #[command(flatten)]
    pub secrets: LoginSecrets,
    /// Another API address (a proxy or a fake marketplace).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Poll interval in seconds.
    #[arg(long, default_value_t = 60)]
    pub interval: u32,
    #[arg(long, default_value = "")]
    pub region: String,
    /// Only orders in these ZZAP status codes are read (`1;2`); all when left out.
    #[arg(long, value_delimiter = ';')]
    pub import_codes: Vec<String>,
    /// ZZAP status codes that mean the buyer cancelled (`6`).
    #[arg(long, value_delimiter = ';')]
    pub buyer_cancel_codes: Vec<String>,
    /// Pause between calls in milliseconds (ZZAP allows one request per 3 seconds).
    #[arg(long, default_value_t = ordertray_connectors::zzap::ZZAP_MIN_INTERVAL_MS)]
    pub request_interval_ms: u32,
}

#[derive(Args, Debug)]
pub struct OzonAccountArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub client_id: String,
    /// Read the Api-Key at run time from this environment variable; it is never stored.
    #[arg(
        long,
        conflicts_with = "api_key_stdin",
        required_unless_present = "api_key_stdin"
    )]
    pub api_key_env: Option<String>,
    /// Read the Api-Key from standard input and store it in the OS keychain.
    #[arg(long)]
    pub api_key_stdin: bool,
    /// Another API address (a proxy or a fake marketplace).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Poll interval in seconds.
    #[arg(long, default_value_t = 60)]
    pub interval: u32,
    #[arg(long, default_value = "")]
    pub region: String,
    /// Ozon cancel reason id sent with rejections.
    #[arg(long, default_value_t = 352)]
    pub cancel_reason: i64,
    /// Do not send the ship call when every line of a posting is accepted.
    #[arg(long)]
    pub no_ship_on_accept: bool,
}

#[derive(Subcommand, Debug)]
pub enum OrdersCmd {
    /// Find the shop's orders (All orders) by any part of the number or the recipient's name.
    Search {
        text: String,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// List orders with their lines.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
        /// Only orders having a line in this state.
        #[arg(long)]
        state: Option<StateArg>,
        /// Only this account (id or name).
        #[arg(long)]
        account: Option<String>,
    },
    /// Make an order by hand (All orders) from a JSON draft, with the New-order form's rules.
    Create {
        /// The draft: {"number", "preorder", "recipient": {...}, "address": {...}, "items": [...],
        /// "delivery_method", "payment_method", "paid", "cod_amount", "declared_value",
        /// "order_type"}; all but the items may be left out.
        #[arg(long)]
        file: PathBuf,
        /// Print the created order as `orders show --json` does.
        #[arg(long)]
        json: bool,
    },
    /// A pre-order's buyer link (needs the intake's public address); prints a new one each time,
    /// which ends the one before.
    PreorderLink { number_or_id: String },
    /// One of the shop's orders (All orders) by its number or id.
    Show {
        number_or_id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum OutboxCmd {
    /// Deliver queued calls: once, or until nothing is pending.
    Drain {
        #[arg(long)]
        once: bool,
        /// How long this process holds a row it is delivering before another process may take it
        /// over (default: four HTTP timeouts plus a minute). Shorter only for tests that kill the
        /// process: a lease shorter than one call lets another process send the call again.
        #[arg(long, hide = true, value_parser = clap::value_parser!(u64).range(1..))]
        lease_secs: Option<u64>,
    },
    /// List queued and delivered calls.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Put a failed call back in the queue.
    Retry { id: i64 },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum LineAction {
    Accept,
    Reject,
    Delete,
    Restore,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StateArg {
    New,
    Accepted,
    Rejected,
    Deleted,
}

#[derive(Subcommand, Debug)]
pub enum TransferCmd {
    /// The systems orders can be sent to.
    #[command(subcommand)]
    Targets(TargetsCmd),
    /// Send orders to a target (an update where it has them already); one line per order.
    /// Exits 0 when all went through, 3 when some did not.
    Send {
        /// The target account (id or name).
        #[arg(long)]
        target: String,
        /// Order numbers or ids.
        #[arg(required = true)]
        orders: Vec<String>,
        /// Send even orders that would ship twice or are paid online but unpaid.
        #[arg(long)]
        yes: bool,
    },
    /// Where orders were sent and how it went (every transfer without orders).
    Status {
        orders: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Read back what the targets made of the orders (every transferred order without orders).
    Refresh {
        #[arg(long)]
        target: Option<String>,
        orders: Vec<String>,
    },
    /// Forget an order's link to a target's record (the record stays there).
    Unlink {
        order: String,
        #[arg(long)]
        target: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum TargetsCmd {
    /// Connect a target.
    #[command(subcommand)]
    Add(AddTarget),
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AddTarget {
    /// A RetailCRM account (API v5).
    Retailcrm(RetailCrmTargetArgs),
    /// A Shiptor account (delivery; JSON-RPC). --url defaults to https://api.shiptor.ru.
    Shiptor(TargetArgs),
    /// A MoySklad account (JSON API 1.2); the "API key" is its access token. --url defaults to
    /// MoySklad's API.
    Moysklad(MoySkladTargetArgs),
    /// An amoCRM account (API v4; --url https://SUBDOMAIN.amocrm.ru); the "API key" is its
    /// long-lived token.
    Amocrm(TargetArgs),
    /// An InSales shop (--url https://SHOP.myinsales.ru); the "API key" is the API application's
    /// password.
    Insales(InSalesTargetArgs),
    /// A Bitrix24 portal through an incoming webhook (--url https://PORTAL.bitrix24.ru); the "API
    /// key" is the webhook's token.
    Bitrix24(Bitrix24TargetArgs),
}

#[derive(clap::Args, Debug)]
pub struct TargetArgs {
    #[arg(long)]
    pub name: String,
    /// The target's address (`https://shop.retailcrm.ru`); the service's own when absent.
    #[arg(long)]
    pub url: Option<String>,
    /// Read the API key at run time from this environment variable (never stored).
    #[arg(long, conflicts_with = "api_key_stdin")]
    pub api_key_env: Option<String>,
    /// Read the API key from standard input and keep it in the OS keychain.
    #[arg(long)]
    pub api_key_stdin: bool,
}

#[derive(clap::Args, Debug)]
pub struct RetailCrmTargetArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The store (site) code the orders go to.
    #[arg(long)]
    pub site: String,
}

#[derive(clap::Args, Debug)]
pub struct MoySkladTargetArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The legal entity (name or id) orders are made for; the account's first when absent.
    #[arg(long)]
    pub organization: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct InSalesTargetArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The API application's identifier (not secret).
    #[arg(long)]
    pub api_id: String,
}

#[derive(clap::Args, Debug)]
pub struct Bitrix24TargetArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// The user the incoming webhook belongs to (the number in /rest/USER/TOKEN/).
    #[arg(long)]
    pub user_id: String,
}
