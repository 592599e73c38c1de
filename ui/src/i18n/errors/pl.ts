// Engine errors in Polish (see ../errors.ts).
import type { ErrorCatalog } from "../errors";
import { fieldName } from "./field";

const range = (min: number | null, max: number | null, unit: string | null): string => {
  const u = unit == null ? "" : ` ${{ seconds: "s", days: "dni" }[unit] ?? unit}`;
  if (min != null && max != null) return `od ${min} do ${max}${u}`;
  if (min != null) return `co najmniej ${min}${u}`;
  if (max != null) return `najwyżej ${max}${u}`;
  return "w dozwolonym zakresie";
};

export const plErrors: ErrorCatalog = {
  things: {
    order: { one: "zamówienie", many: "zamówienia" },
    line: { one: "pozycja", many: "pozycje" },
    account: { one: "konto", many: "konta" },
    status: { one: "status", many: "statusy" },
    built_in_status: { one: "status wbudowany", many: "statusy wbudowane" },
    price_list: { one: "cennik", many: "cenniki" },
    delivery_method: { one: "sposób dostawy", many: "sposoby dostawy" },
    backup: { one: "kopia zapasowa", many: "kopie zapasowe" },
    outbox_row: { one: "nieudane wywołanie platformy", many: "nieudane wywołania platformy" },
    rule: { one: "reguła", many: "reguły" },
  },
  formats: {
    time24h: "w formacie GG:MM (24 godziny)",
    ip_address: "adresem IP (127.0.0.1 lub 0.0.0.0)",
    web_address: "adresem zaczynającym się od http:// lub https://",
    numbers: "liczbami całkowitymi",
    one_character: "jednym znakiem",
    marketplace_id: "kodem z listy platformy",
    full_path: "pełną ścieżką pliku",
    secure_web_address: "adresem https:// (przez http:// klucz poszedłby jawnym tekstem)",
    currency_code: "trzyliterowym kodem waluty (RUB, EUR, USD)",
    time_zone: "nazwą strefy czasowej, np. Europe/Kyiv",
    api_version: "datowaną wersją API, np. 2025-10",
  },
  fields: {
    url: "Adres sklepu",
    backfill_days: "Dni czytane przy pierwszej synchronizacji",
    window_days: "Dni czytane ponownie przy każdej synchronizacji",
    timezone: "Strefa czasowa sklepu",
    shop: "Sklep",
    client_id: "Identyfikator klienta (Client ID)",
    api_version: "Wersja API",
    marketplace_id: "Identyfikator rynku (Marketplace ID)",
    token_url: "Adres pobierania tokenu",
    shop_currency: "Waluta sklepu",
    name: "Nazwa",
    login: "Login",
    password: "Hasło",
    api_key: "Klucz API",
    intake_token: "Token przyjmowania zamówień",
    interval_secs: "Odstęp odpytywania",
    min_request_interval_ms: "Przerwa między zapytaniami",
    sync_start_time: "Godzina rozpoczęcia synchronizacji",
    cancel_reason_id: "Powód anulowania",
    status_codes: "Kody statusów",
    bind: "Adres przyjmowania zamówień",
    port: "Port przyjmowania zamówień",
    public_url: "Adres publiczny",
    done_outbox_days: "Przechowywanie wysłanych aktualizacji",
    sync_runs_days: "Przechowywanie synchronizacji",
    intake_requests_days: "Przechowywanie żądań przyjmowania zamówień",
    account_events_days: "Przechowywanie zdarzeń kont",
    quantity: "Ilość",
    price: "Cena",
    tracking_number: "Numer przesyłki",
    delimiter: "Separator",
    path: "Plik",
  },
  kinds: {
    not_found: (e, c) => `Nie znaleziono: ${c.things[e.thing].one} ${e.id}`,
    no_longer_exist: (e, c) => `Część wybranych już nie istnieje (${c.things[e.thing].many})`,
    nothing_selected: (e, c) => `Nic nie wybrano (${c.things[e.thing].many})`,
    name_empty: (e, c) => `Potrzebna nazwa (${c.things[e.thing].one})`,
    name_taken: (e, c) => `Nazwa «${e.name}» jest już zajęta (${c.things[e.thing].one})`,
    required: (e, c) => `${fieldName(c, e.field, e.label)}: pole wymagane`,
    too_long: (e, c) => `${fieldName(c, e.field, e.label)}: najwyżej ${e.max} znaków`,
    out_of_range: (e, c) => `${fieldName(c, e.field, e.label)}: ${range(e.min, e.max, e.unit)}`,
    bad_format: (e, c) =>
      `${fieldName(c, e.field, e.label)}: wartość musi być ${c.formats[e.format]}, a «${e.value}» nie jest`,
    unknown: (e) => `Nieznana wartość «${e.value}» (${e.field})`,
    internal: (e) => `Błąd wewnętrzny: ${e.detail}`,
    disk_full: () => "Dysk jest pełny: Ordertray nie zapisał zmiany (zwolnij miejsce i spróbuj ponownie)",
    database_busy: () => "Baza danych jest zajęta; spróbuj ponownie",
    database: (e) => `Błąd bazy danych: ${e.detail}`,
    migration: (e) => `Nie udało się zaktualizować struktury bazy danych: ${e.detail}`,
    stored_data_unreadable: (e) => `Zapisanych danych nie da się odczytać: ${e.detail}`,
    database_damaged: (e) => `Plik bazy danych jest uszkodzony: ${e.detail}`,
    file_error: (e) => `Błąd pliku: ${e.detail}`,
    cannot_read: (e) => `Nie można odczytać ${e.path}: ${e.detail}`,
    cannot_write: (e) => `Nie udało się zapisać ${e.path}: ${e.detail}`,
    cannot_open: (e) => `Nie udało się otworzyć ${e.path}: ${e.detail}`,
    cannot_show: (e) => `Nie udało się pokazać ${e.path}: ${e.detail}`,
    file_exists: (e) => `${e.path} już istnieje`,
    not_exported: (e) => `${e.path} nie został wyeksportowany w tej sesji`,
    backup_is_database: (e) => `${e.name} to sama baza danych, a nie jej kopia`,
    not_ordertray_database: (e) => `${e.name} nie jest bazą danych Ordertray`,
    backup_too_new: (e) =>
      `${e.name} utworzono nowszą wersją Ordertray; zaktualizuj Ordertray, aby ją przywrócić`,
    restarting: () => "Ordertray uruchamia się ponownie",
    database_works: () => "Baza danych działa; nie ma czego zastępować",
    database_in_use: () => "Baza danych jest otwarta w innym programie (wiersz poleceń?); zamknij go i spróbuj ponownie. Nic nie zostało zmienione",
    database_too_new: () => "Baza danych została utworzona przez nowszą wersję Ordertray; zaktualizuj Ordertray, aby ją otworzyć (plik pozostaje bez zmian)",
    marketplace_auth: (e) => `Autoryzacja nie powiodła się: ${e.detail}`,
    rate_limited: (e) => `Zbyt wiele zapytań, platforma prosi o odczekanie: ${e.detail}`,
    marketplace_server: (e) => `Błąd serwera platformy (${e.status}): ${e.detail}`,
    network: (e) => `Błąd sieci: ${e.detail}`,
    malformed: (e) => `Nie udało się odczytać odpowiedzi platformy: ${e.detail}`,
    marketplace_rejected: (e) => `Platforma odrzuciła zapytanie (${e.status}): ${e.detail}`,
    no_order_source: (e) => `${e.marketplace}: zamówienia nie są pobierane odpytywaniem`,
    currency_mismatch: (e) => `${e.marketplace} sprzedaje w ${e.currency}, a walutą sklepu jest ${e.shop_currency}: zamówienia nie są pobierane, dopóki waluty się nie zgadzają (Ustawienia → waluta sklepu)`,
    too_many_pages: (e) => `${e.marketplace} zwracał kolejne strony; zatrzymano po ${e.max}`,
    push_unreadable: (e) => `Nie udało się odczytać przysłanego żądania: ${e.detail}`,
    pushed_orders_unreadable: (e) => `Nie udało się odczytać przysłanych zamówień: ${e.count}`,
    applied_check_failed: (e) => `Nie udało się sprawdzić, czy poprzednia próba dotarła: ${e.detail}`,
    base_url_plain_http: () =>
      "Adres musi zaczynać się od https:// (http:// tylko dla adresu na tym komputerze: localhost, 127.0.0.1, [::1]): klucze konta są wysyłane z każdym zapytaniem",
    base_url_not_https: () => "Adres musi zaczynać się od https:// i nazwy serwera",
    kind_unchangeable: () => "Platformy konta nie można zmienić",
    demo_not_editable: () => "Konta demo nie można edytować; usuń je i dodaj prawdziwe konto",
    demo_not_built: () => "Tryb demo nie jest częścią tej wersji",
    demo_failed: (e) => `Platforma demo nie uruchomiła się: ${e.detail}`,
    secret_env_missing: (e) => `Zmienna środowiskowa ${e.var} (${e.label} konta «${e.account}») nie jest ustawiona`,
    secret_missing: (e) => `Dla «${e.account}» nie zapisano: ${e.label}. Otwórz konto i wpisz`,
    secrets_required: (e) =>
      `Adres konta się zmienił: wpisz ponownie ${e.labels.join(" i ")} (zapisane klucze nie są wysyłane pod nowy adres)`,
    keychain_not_answering: () =>
      "Magazyn haseł systemu nie odpowiada (zablokowany? okno odblokowania może czekać, być może za innym oknem)",
    keychain_unavailable: () =>
      "Magazyn haseł systemu jest niedostępny (w Linuksie: czy usługa Secret Service, np. GNOME Keyring lub KWallet, działa i jest odblokowana?)",
    keychain_unsafe: () => "Magazyn haseł systemu nie zachował wartości testowej: sekretów nie można bezpiecznie przechować",
    keychain: (e) => `Błąd magazynu haseł: ${e.detail}`,
    intake_token_from_env: (e) =>
      `Token przyjmowania zamówień «${e.account}» pochodzi ze zmiennej środowiskowej ${e.var}: zmień go tam`,
    no_intake_address: (e) => `${e.marketplace} nie przysyła zamówień: «${e.account}» nie ma adresu przyjmowania`,
    no_webhook_secret: (e) => `${e.marketplace} podpisuje webhooki «${e.account}» sekretem klienta aplikacji (client secret): użyj go`,
    webhooks_disabled: (e) => `${e.marketplace} wstrzymał webhooki po nieudanych dostarczeniach (${e.names}): zamówienia nadal przychodzą przez odpytywanie; włącz je ponownie (Active) w ${e.marketplace}, gdy adres przyjmowania będzie osiągalny`,
    line_wrong_state: (e) => {
      const state = { new: "nowa", accepted: "przyjęta", rejected: "odrzucona", deleted: "usunięta" }[e.state];
      const action = { accept: "przyjąć", reject: "odrzucić", delete: "usunąć", restore: "przywrócić" }[e.action];
      return `Pozycja ${e.line} jest ${state}: nie można jej ${action}`;
    },
    line_not_waiting: (e) => `Pozycja ${e.line} nie czeka na decyzję`,
    line_already_in_inbox: (e) => `Pozycja «${e.name}» jest już w skrzynce`,
    line_already_sent: (e) => `Pozycja «${e.name}» została już wysłana na platformę i nie można jej cofnąć`,
    later_decision_on_order: (e) =>
      `Pozycji «${e.name}» nie można cofnąć osobno: późniejsza decyzja w jej zamówieniu czeka na wysłanie — najpierw cofnij tamtą`,
    order_cancelled_on_marketplace: (e) =>
      `Zamówienie ${e.number} anulowano na platformie: jego pozycje można tylko odrzucić lub usunąć`,
    order_read_only: (e) =>
      `Zamówienie ${e.number} realizuje platforma ze swojego magazynu: jest tylko do odczytu, nie można go przyjąć, odrzucić, usunąć ani przywrócić`,
    only_accepted_bound: () => "Z ofertą wiąże się tylko przyjętą pozycję",
    only_accepted_move: (e) => `Pozycja ${e.line} nie jest przyjęta: przez statusy sklepu przechodzą tylko przyjęte pozycje`,
    offer_gone: () => "Oferty już nie ma (cennik wczytano ponownie); wybierz jeszcze raz",
    keep_new_status: () => "Zostaw co najmniej jeden status w grupie „Nowe”: od niej zaczynają przyjęte pozycje",
    status_in_use: (e) => `Pozycji w usuniętym statusie: ${e.lines}; najpierw przenieś je do innego statusu`,
    template_invalid: (e) => `Szablon «${e.template}»: ${e.detail}`,
    template_failed: (e) => `Nie udało się wypełnić szablonu: ${e.detail}`,
    no_status_to_word: () => "Brak statusu sklepu, by ułożyć tekst",
    order_problems: (e) => `Zamówienia nie zapisano: ${e.problems.map((p) => p.message).join("; ")}`,
    delivery_cost_changes: (e) => `Koszt dostawy zmienia się z ${e.from} na ${e.to}: potwierdź zapis`,
    preorder_link_needs_intake: () => "Link dla kupującego wymaga włączonego przyjmowania zamówień z adresem publicznym (Ustawienia → Przyjmowanie zamówień)",
    not_a_preorder: (e) => `Zamówienie ${e.number} nie jest zamówieniem wstępnym: kupujący nie ma nic do uzupełnienia`,
    tracking_not_taken: () =>
      "To zamówienie nie pochodzi z platformy przyjmującej numery przesyłek: nie ma dokąd wysłać numeru",
    tracking_refused: (e) =>
      e.read_only
        ? `Zamówienie ${e.number} realizuje i dostarcza platforma ze swojego magazynu: nie ma dokąd wysłać numeru przesyłki`
        : `Zamówienie ${e.number} dostarcza przewoźnik platformy: to on nadaje numer przesyłki`,
    tracking_empty: () => "Wpisz numer przesyłki",
    transferred_by_hand: () => "Status „Przekazane” ustawia tylko udane przekazanie, nie ręcznie",
    not_a_transfer_target: (e) => `«${e.name}» nie jest systemem, do którego można przekazywać zamówienia`,
    transfer_refused: (e) => `${e.target} nie przyjął zamówienia: ${e.detail}`,
    order_not_deleted: (e) => `Zamówienie ${e.number} nie jest usunięte: na zawsze usuwa się tylko usunięte zamówienia`,
    no_export_columns: () => "Wybierz co najmniej jedną kolumnę do eksportu",
    export_cancelled: () => "Eksport anulowany",
    no_sheets: (e) => `${e.path} nie ma arkuszy`,
    sheet_damaged: (e) => `Nie można odczytać ${e.path}: arkusz jest uszkodzony`,
    price_list_columns_needed: (e) =>
      `Cennik «${e.name}» jest nowy: wskaż kolumny z artykułem i ceną`,
    item_follows_marketplace_line: (e) =>
      `«${e.name}» to pozycja zamówienia z marketplace'u: zostaje, dopóki jej wiersz jest przyjęty`,
    price_list_nothing_read: (e) =>
      `Żadnego z wierszy (${e.rejected}) nie udało się odczytać (czy kolumny są dobrze wskazane?): cennik «${e.name}» pozostaje bez zmian`,
  },
};
