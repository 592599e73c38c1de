// Engine errors in Russian (see ../errors.ts).
import type { ErrorCatalog } from "../errors";
import { fieldName } from "./field";

const range = (min: number | null, max: number | null, unit: string | null): string => {
  const u = unit == null ? "" : ` ${{ seconds: "с", days: "дн." }[unit] ?? unit}`;
  if (min != null && max != null) return `от ${min} до ${max}${u}`;
  if (min != null) return `не меньше ${min}${u}`;
  if (max != null) return `не больше ${max}${u}`;
  return "в допустимых пределах";
};

const lines = (n: number): string => {
  const d = n % 10;
  const dd = n % 100;
  if (d === 1 && dd !== 11) return `${n} строка`;
  if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return `${n} строки`;
  return `${n} строк`;
};

export const ruErrors: ErrorCatalog = {
  things: {
    order: { one: "заказ", many: "заказы" },
    line: { one: "строка", many: "строки" },
    account: { one: "аккаунт", many: "аккаунты" },
    status: { one: "статус", many: "статусы" },
    built_in_status: { one: "встроенный статус", many: "встроенные статусы" },
    price_list: { one: "прайс-лист", many: "прайс-листы" },
    delivery_method: { one: "способ доставки", many: "способы доставки" },
    backup: { one: "резервная копия", many: "резервные копии" },
    outbox_row: { one: "неудавшийся запрос к маркетплейсу", many: "неудавшиеся запросы к маркетплейсу" },
    rule: { one: "правило", many: "правила" },
  },
  formats: {
    time24h: "в формате ЧЧ:ММ (24 часа)",
    ip_address: "IP-адресом (127.0.0.1 или 0.0.0.0)",
    web_address: "адресом, начинающимся с http:// или https://",
    numbers: "целыми числами",
    one_character: "одним символом",
    marketplace_id: "кодом из списка маркетплейса",
    full_path: "полным путём к файлу",
    secure_web_address: "адресом https:// (по http:// ключ ушёл бы открытым текстом)",
    currency_code: "трёхбуквенным кодом валюты (RUB, EUR, USD)",
    time_zone: "названием часового пояса, например Europe/Kyiv",
    api_version: "датированной версией API, например 2025-10",
  },
  fields: {
    url: "Адрес магазина",
    backfill_days: "Дней читает первая синхронизация",
    window_days: "Дней перечитывает каждая синхронизация",
    timezone: "Часовой пояс магазина",
    shop: "Магазин",
    client_id: "Идентификатор клиента (Client ID)",
    api_version: "Версия API",
    marketplace_id: "Идентификатор маркетплейса (Marketplace ID)",
    token_url: "Адрес получения токена",
    shop_currency: "Валюта магазина",
    name: "Название",
    login: "Логин",
    password: "Пароль",
    api_key: "API-ключ",
    intake_token: "Токен приёма заказов",
    interval_secs: "Интервал опроса",
    min_request_interval_ms: "Пауза между запросами",
    sync_start_time: "Время начала синхронизации",
    cancel_reason_id: "Причина отмены",
    status_codes: "Коды статусов",
    bind: "Адрес приёма заказов",
    port: "Порт приёма заказов",
    public_url: "Публичный адрес",
    done_outbox_days: "Срок хранения отправленных обновлений",
    sync_runs_days: "Срок хранения синхронизаций",
    intake_requests_days: "Срок хранения запросов приёма заказов",
    account_events_days: "Срок хранения событий аккаунтов",
    quantity: "Количество",
    price: "Цена",
    tracking_number: "Трек-номер",
    delimiter: "Разделитель",
    path: "Файл",
  },
  kinds: {
    not_found: (e, c) => `Не найдено: ${c.things[e.thing].one} ${e.id}`,
    no_longer_exist: (e, c) => `Часть выбранного уже удалена (${c.things[e.thing].many})`,
    nothing_selected: (e, c) => `Ничего не выбрано (${c.things[e.thing].many})`,
    name_empty: (e, c) => `Нужно название (${c.things[e.thing].one})`,
    name_taken: (e, c) => `Название «${e.name}» уже занято (${c.things[e.thing].one})`,
    required: (e, c) => `${fieldName(c, e.field, e.label)}: обязательное поле`,
    too_long: (e, c) => `${fieldName(c, e.field, e.label)}: не длиннее ${e.max} символов`,
    out_of_range: (e, c) => `${fieldName(c, e.field, e.label)}: ${range(e.min, e.max, e.unit)}`,
    bad_format: (e, c) =>
      `${fieldName(c, e.field, e.label)}: значение должно быть ${c.formats[e.format]}, а «${e.value}» — нет`,
    unknown: (e) => `Неизвестное значение «${e.value}» (${e.field})`,
    internal: (e) => `Внутренняя ошибка: ${e.detail}`,
    disk_full: () => "Диск заполнен: Ordertray не смог сохранить изменение (освободите место и повторите)",
    database_busy: () => "База данных занята; повторите",
    database: (e) => `Ошибка базы данных: ${e.detail}`,
    migration: (e) => `Не удалось обновить структуру базы данных: ${e.detail}`,
    stored_data_unreadable: (e) => `Сохранённые данные не читаются: ${e.detail}`,
    database_damaged: (e) => `Файл базы данных повреждён: ${e.detail}`,
    file_error: (e) => `Ошибка файла: ${e.detail}`,
    cannot_read: (e) => `Не удалось прочитать ${e.path}: ${e.detail}`,
    cannot_write: (e) => `Не удалось записать ${e.path}: ${e.detail}`,
    cannot_open: (e) => `Не удалось открыть ${e.path}: ${e.detail}`,
    cannot_show: (e) => `Не удалось показать ${e.path}: ${e.detail}`,
    file_exists: (e) => `${e.path} уже существует`,
    not_exported: (e) => `${e.path} не был выгружен в этом сеансе`,
    backup_is_database: (e) => `${e.name} — это сама база данных, а не её копия`,
    not_ordertray_database: (e) => `${e.name} — не база данных Ordertray`,
    backup_too_new: (e) => `${e.name} создан более новой версией Ordertray; обновите Ordertray, чтобы восстановить её`,
    restarting: () => "Ordertray перезапускается",
    database_works: () => "База данных в порядке; заменять нечего",
    database_in_use: () => "База данных открыта другой программой (командной строкой?); закройте её и повторите. Ничего не изменено",
    database_too_new: () => "База данных создана более новой версией Ordertray; обновите Ordertray, чтобы открыть её (файл сохранён без изменений)",
    marketplace_auth: (e) => `Авторизация не удалась: ${e.detail}`,
    rate_limited: (e) => `Слишком много запросов, маркетплейс попросил подождать: ${e.detail}`,
    marketplace_server: (e) => `Ошибка сервера маркетплейса (${e.status}): ${e.detail}`,
    network: (e) => `Ошибка сети: ${e.detail}`,
    malformed: (e) => `Не удалось прочитать ответ маркетплейса: ${e.detail}`,
    marketplace_rejected: (e) => `Маркетплейс отклонил запрос (${e.status}): ${e.detail}`,
    no_order_source: (e) => `${e.marketplace}: заказы не загружаются опросом`,
    currency_mismatch: (e) => `${e.marketplace} продаёт в ${e.currency}, а валюта магазина ${e.shop_currency}: заказы не загружаются, пока валюты не совпадут (Настройки → валюта магазина)`,
    too_many_pages: (e) => `${e.marketplace} продолжал отдавать страницы; остановлено после ${e.max}`,
    push_unreadable: (e) => `Не удалось прочитать присланный запрос: ${e.detail}`,
    pushed_orders_unreadable: (e) => `Не удалось прочитать присланные заказы: ${e.count}`,
    applied_check_failed: (e) => `Не удалось проверить, дошла ли прошлая попытка: ${e.detail}`,
    base_url_plain_http: () =>
      "Адрес должен начинаться с https:// (http:// — только для адреса на этом компьютере: localhost, 127.0.0.1, [::1]): ключи аккаунта передаются с каждым запросом",
    base_url_not_https: () => "Адрес должен начинаться с https:// и имени сервера",
    kind_unchangeable: () => "Маркетплейс аккаунта изменить нельзя",
    demo_not_editable: () => "Демо-аккаунт нельзя изменить; удалите его и добавьте настоящий",
    demo_not_built: () => "Демо-режим не входит в эту сборку",
    demo_failed: (e) => `Демо-маркетплейс не запустился: ${e.detail}`,
    secret_env_missing: (e) => `Переменная окружения ${e.var} (${e.label} аккаунта «${e.account}») не задана`,
    secret_missing: (e) => `Для «${e.account}» не сохранено: ${e.label}. Откройте аккаунт и введите`,
    secrets_required: (e) =>
      `Адрес аккаунта изменился: введите заново ${e.labels.join(" и ")} (сохранённые ключи не отправляются на новый адрес)`,
    keychain_not_answering: () =>
      "Хранилище паролей ОС не отвечает (заблокировано? окно разблокировки может ждать, возможно за другим окном)",
    keychain_unavailable: () =>
      "Хранилище паролей системы недоступно (в Linux: запущена и разблокирована ли служба Secret Service, например GNOME Keyring или KWallet?)",
    keychain_unsafe: () => "Хранилище паролей системы не сохранило проверочное значение: секреты хранить небезопасно",
    keychain: (e) => `Ошибка хранилища паролей: ${e.detail}`,
    intake_token_from_env: (e) =>
      `Токен приёма заказов «${e.account}» берётся из переменной окружения ${e.var}: измените его там`,
    no_intake_address: (e) => `${e.marketplace} не присылает заказы: у «${e.account}» нет адреса приёма`,
    no_webhook_secret: (e) => `${e.marketplace} подписывает вебхуки «${e.account}» секретом клиента приложения (client secret): используйте его`,
    webhooks_disabled: (e) => `${e.marketplace} приостановил вебхуки после неудачных доставок (${e.names}): заказы по-прежнему приходят опросом; снова включите их (Active) в ${e.marketplace}, когда адрес приёма будет доступен`,
    line_wrong_state: (e) => {
      const state = { new: "новая", accepted: "принята", rejected: "отклонена", deleted: "удалена" }[e.state];
      const action = { accept: "принять", reject: "отклонить", delete: "удалить", restore: "восстановить" }[e.action];
      return `Строка ${e.line} ${state}: её нельзя ${action}`;
    },
    line_not_waiting: (e) => `Строка ${e.line} не ждёт решения`,
    line_already_in_inbox: (e) => `Строка «${e.name}» уже во входящих`,
    line_already_sent: (e) => `Строка «${e.name}» уже отправлена маркетплейсу, отменить нельзя`,
    later_decision_on_order: (e) =>
      `Строку «${e.name}» нельзя вернуть отдельно: более позднее решение по её заказу ждёт отправки — сначала отмените его`,
    order_cancelled_on_marketplace: (e) =>
      `Заказ ${e.number} отменён на маркетплейсе: его строки можно только отклонить или удалить`,
    order_read_only: (e) =>
      `Заказ ${e.number} выполняет маркетплейс со своего склада: он только для просмотра, его нельзя принять, отклонить, удалить или восстановить`,
    only_accepted_bound: () => "К предложению привязывается только принятая строка",
    only_accepted_move: (e) => `Строка ${e.line} не принята: по статусам магазина движутся только принятые строки`,
    offer_gone: () => "Предложения больше нет (прайс-лист загружен заново); выберите снова",
    keep_new_status: () => "Оставьте хотя бы один статус в группе «Новые»: с неё начинаются принятые строки",
    status_in_use: (e) =>
      `${lines(e.lines)} в удалённом статусе; сначала переведите их в другой статус`,
    template_invalid: (e) => `Шаблон «${e.template}»: ${e.detail}`,
    template_failed: (e) => `Шаблон не заполнен: ${e.detail}`,
    no_status_to_word: () => "Нет статуса магазина, чтобы составить текст",
    order_problems: (e) => `Заказ не сохранён: ${e.problems.map((p) => p.message).join("; ")}`,
    delivery_cost_changes: (e) => `Стоимость доставки меняется с ${e.from} на ${e.to}: подтвердите сохранение`,
    preorder_link_needs_intake: () => "Для ссылки покупателю нужен приём заказов с публичным адресом (Настройки → Приём заказов)",
    not_a_preorder: (e) => `Заказ ${e.number} — не предзаказ: покупателю нечего заполнять`,
    tracking_not_taken: () =>
      "Этот заказ пришёл не с маркетплейса, принимающего трек-номера: трек-номер отправлять некуда",
    tracking_refused: (e) =>
      e.read_only
        ? `Заказ ${e.number} выполняет маркетплейс со своего склада и сам его доставляет: трек-номер отправлять некуда`
        : `Заказ ${e.number} доставляет служба маркетплейса: трек-номер присваивает она`,
    tracking_empty: () => "Введите трек-номер",
    transferred_by_hand: () => "Статус «Передан» ставится только успешной передачей, не вручную",
    not_a_transfer_target: (e) => `«${e.name}» — не система, в которую можно передавать заказы`,
    transfer_refused: (e) => `${e.target} не принял заказ: ${e.detail}`,
    order_not_deleted: (e) => `Заказ ${e.number} не удалён: окончательно стираются только удалённые заказы`,
    no_export_columns: () => "Выберите хотя бы один столбец для выгрузки",
    export_cancelled: () => "Выгрузка отменена",
    no_sheets: (e) => `В ${e.path} нет листов`,
    sheet_damaged: (e) => `Не удалось прочитать ${e.path}: таблица повреждена`,
    price_list_columns_needed: (e) =>
      `Прайс-лист «${e.name}» новый: укажите, в каких столбцах артикул и цена`,
    item_follows_marketplace_line: (e) =>
      `«${e.name}» — товар заказа маркетплейса: он остаётся, пока его строка принята`,
    price_list_nothing_read: (e) =>
      `Ни одна из строк (${e.rejected}) не прочитана (верно ли указаны столбцы?): прайс-лист «${e.name}» оставлен как был`,
  },
};
