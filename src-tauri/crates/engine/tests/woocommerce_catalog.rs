//! Import rules 4 and 5 for a WooCommerce store against the fake: items make catalog products
//! found again by the account's key, categories are reused by their path, and buyers keep their
//! first and last names on one customer.

mod common;

use chrono::Utc;
use common::{fresh_engine, woocommerce_account};
use ordertray_connectors::woocommerce::WooCommerceSettings;
use ordertray_core::{ProductKey, ProductQuery, ProductView};
use ordertray_engine::Engine;
use ordertray_fakes::woocommerce::{
    category, order, product, Buyer, FakeWooCommerce, FakeWooCommerceConfig, FakeWooCommerceHandle,
};

const KEY: &str = "ck_catalog_key_1";
const SECRET: &str = "cs_catalog_secret_2";

async fn store() -> FakeWooCommerceHandle {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    fake.add_categories([
        category(1, "Запчасти", 0),
        category(2, "Фильтры", 1),
        category(3, "Масляные", 2),
        category(4, "Распродажа", 0),
    ]);
    fake.add_products([
        // One branch at three depths: the deepest.
        product(
            7,
            "Фильтр",
            "OC 90",
            "<p>Масляный фильтр <b>Knecht</b></p>",
            &[(1, "Запчасти"), (3, "Масляные"), (2, "Фильтры")],
        ),
        // Two branches at different depths: the more general.
        product(
            8,
            "Фильтр воздушный",
            "W 712",
            "",
            &[(2, "Фильтры"), (4, "Распродажа")],
        ),
    ]);
    fake
}

async fn account(engine: &Engine, fake: &FakeWooCommerceHandle, key: ProductKey) -> i64 {
    let settings = WooCommerceSettings {
        identify_products_by: key,
        ..WooCommerceSettings::new(fake.base_url())
    };
    woocommerce_account(engine, settings, (KEY, SECRET)).await
}

async fn products(engine: &Engine) -> Vec<ProductView> {
    engine.products(&ProductQuery::default()).await.unwrap()
}

fn anna() -> Buyer {
    Buyer::new("Анна", "Смирнова", "anna@example.com", "+7 916 000-11-22")
}

#[tokio::test(flavor = "multi_thread")]
async fn items_make_products_once_filed_under_reused_categories() {
    let fake = store().await;
    let now = Utc::now();
    fake.add_orders([order(
        101,
        now - chrono::Duration::days(2),
        anna(),
        &[(7, "OC 90", "Фильтр", 2, "350.00")],
    )]);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let id = account(&engine, &fake, ProductKey::Sku).await;
    engine.sync_account(id).await.unwrap();

    let first = products(&engine).await;
    assert_eq!(first.len(), 1, "{first:?}");
    let filter = &first[0];
    assert_eq!(
        (
            filter.name.as_str(),
            filter.sku.as_str(),
            filter.code.as_str(),
            filter.unit.as_str()
        ),
        ("Фильтр", "OC 90", "7", "piece")
    );
    assert_eq!(filter.category.as_deref(), Some("Запчасти / Фильтры / Масляные"));
    assert_eq!(filter.description, "Масляный фильтр Knecht", "markup dropped");

    // The second order: the same product again (found by SKU) and a new one.
    // Placed after the first run (a later run reads what changed since).
    fake.add_orders([order(
        102,
        Utc::now(),
        Buyer {
            email: String::new(),
            ..anna()
        },
        &[
            (7, "OC 90", "Фильтр", 1, "350.00"),
            (8, "W 712", "Фильтр воздушный", 3, "120.50"),
        ],
    )]);
    engine.sync_account(id).await.unwrap();
    let all = products(&engine).await;
    assert_eq!(all.len(), 2, "{all:?}");
    let filter = all.iter().find(|p| p.sku == "OC 90").unwrap();
    let air = all.iter().find(|p| p.sku == "W 712").unwrap();
    assert_eq!(filter.orders, 2);
    assert_eq!(air.category.as_deref(), Some("Распродажа"));
    let on_filter = engine.product_orders(filter.id).await.unwrap();
    let numbers: Vec<&str> = on_filter.iter().map(|o| o.number.as_str()).collect();
    assert_eq!(numbers, ["102", "101"], "newest first");
    assert!(
        on_filter.iter().all(|o| o.shop_order_id.is_some()),
        "accepted on arrival"
    );

    let categories = engine.product_categories().await.unwrap();
    let paths: Vec<&str> = categories.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "Запчасти",
            "Запчасти / Фильтры",
            "Запчасти / Фильтры / Масляные",
            "Распродажа"
        ],
        "each made once, in tree order"
    );
    let narrowed = engine
        .products(&ProductQuery {
            category_id: categories.iter().find(|c| c.path == "Запчасти").map(|c| c.id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(narrowed.len(), 1, "a category lists what its subcategories hold");
    let searched = engine
        .products(&ProductQuery {
            search: "knecht".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(searched.iter().map(|p| p.id).collect::<Vec<_>>(), [filter.id]);

    // One buyer (the phone), with the name in its parts.
    let customers = engine.customers(10).await.unwrap();
    assert_eq!(customers.len(), 1);
    let c = &customers[0].customer;
    assert_eq!(
        (
            c.first_name.as_deref(),
            c.last_name.as_deref(),
            c.phone.as_deref()
        ),
        (Some("Анна"), Some("Смирнова"), Some("+79160001122"))
    );

    // Read once: the next runs ask the store for neither products nor categories again.
    let catalog_calls = || {
        fake.calls()
            .iter()
            .filter(|c| c.path.starts_with("/products"))
            .count()
    };
    let before = catalog_calls();
    fake.add_orders([order(
        103,
        Utc::now(),
        anna(),
        &[(8, "W 712", "Фильтр воздушный", 1, "120.50")],
    )]);
    engine.sync_account(id).await.unwrap();
    assert_eq!(catalog_calls(), before);
    assert_eq!(products(&engine).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_key_finds_the_product_its_own_way() {
    let now = Utc::now();
    // Two items: the same name, different SKU and product id.
    let items: &[(i64, &str, &str, i64, &str)] = &[
        (7, "OC 90", "Фильтр", 1, "350.00"),
        (9, "OC 91", "Фильтр", 1, "360.00"),
    ];
    let expected = [(ProductKey::Name, 1), (ProductKey::Sku, 2), (ProductKey::Id, 2)];
    for (key, count) in expected {
        let fake = store().await;
        fake.add_orders([order(201, now - chrono::Duration::hours(3), anna(), items)]);
        let (_dir, _db, _secrets, engine) = fresh_engine().await;
        let id = account(&engine, &fake, key).await;
        engine.sync_account(id).await.unwrap();
        assert_eq!(products(&engine).await.len(), count, "{key:?}");
    }

    // By id: a renamed SKU is still the same product; by SKU it would be a new one.
    let fake = store().await;
    fake.add_orders([
        order(
            301,
            now - chrono::Duration::hours(3),
            anna(),
            &[(7, "OC 90", "Фильтр", 1, "350.00")],
        ),
        order(
            302,
            now - chrono::Duration::hours(2),
            anna(),
            &[(7, "OC-90N", "Фильтр", 1, "350.00")],
        ),
    ]);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let id = account(&engine, &fake, ProductKey::Id).await;
    engine.sync_account(id).await.unwrap();
    let all = products(&engine).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!((all[0].code.as_str(), all[0].orders), ("7", 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_hides_its_products_still_imports_its_orders() {
    let fake = FakeWooCommerce::start(FakeWooCommerceConfig::new(KEY, SECRET))
        .await
        .unwrap();
    // No products at all: the store answers an empty list (a deleted product does the same).
    fake.add_orders([order(
        401,
        Utc::now() - chrono::Duration::hours(3),
        anna(),
        &[(70, "X-1", "Деталь", 1, "10.00")],
    )]);
    let (_dir, _db, _secrets, engine) = fresh_engine().await;
    let id = account(&engine, &fake, ProductKey::Sku).await;
    let report = engine.sync_account(id).await.unwrap();
    assert_eq!(report.orders_new, 1);
    let all = products(&engine).await;
    assert_eq!(all.len(), 1);
    assert_eq!((all[0].sku.as_str(), all[0].category.as_deref()), ("X-1", None));
}
