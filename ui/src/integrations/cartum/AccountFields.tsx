// Cartum's (Horoshop's) part of the account form: the shop's address with the admin-panel login
// its API signs in with, then the shop's time zone, how far back the first sync reads, how many
// days each later sync reads again, whether orders are accepted on arrival and how products are
// recognised.
import type { AccountSettings } from "../../bindings/AccountSettings";
import type { CartumSettings } from "../../bindings/CartumSettings";
import { TextField } from "../../components/FormFields";
import { useI18n } from "../../i18n";
import type { Messages } from "../../i18n/en";
import { LoginFields, loginProblem } from "../LoginFields";
import { AcceptOnArrivalField, DaysField, daysInRange, keySafeAt, ProductKeyField, trimmedAddress } from "../StoreFields";
import type { AccountFieldsProps, AccountForm } from "../types";

/** Core's CARTUM_BACKFILL_DAYS, CARTUM_WINDOW_DAYS and CARTUM_TIMEZONE (most Cartum shops sell in Ukraine). */
const BACKFILL_DAYS = 60;
const WINDOW_DAYS = 14;
const TIMEZONE = "Europe/Kyiv";

/** The zones most Cartum shops are in; any other IANA name may be typed. */
const COMMON_ZONES = [
  "Europe/Kyiv",
  "Europe/Warsaw",
  "Europe/Moscow",
  "Europe/Berlin",
  "Europe/London",
  "Europe/Vilnius",
  "Europe/Riga",
  "Europe/Tallinn",
  "Europe/Chisinau",
  "Europe/Bucharest",
  "Europe/Prague",
  "Asia/Almaty",
  "Asia/Tbilisi",
  "UTC",
];

type Cartum = { kind: "cartum" } & CartumSettings;

const cartumOf = (s: AccountSettings): Cartum => {
  if (s.kind !== "cartum") throw new Error(`not a Cartum account: ${s.kind}`);
  return s;
};

const labels = (t: Messages) => ({ login: t.form.cartum.login, password: t.form.cartum.password });

/**
 * Whether the engine will take this as an IANA zone name. Intl knows the same zones but is more
 * lenient than the engine: it ignores case ("europe/kyiv") and, in newer engines, takes offsets
 * ("+02:00"); both are refused here, since every segment of a zone name starts with a capital.
 */
export function knownTimeZone(name: string): boolean {
  if (!/^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function Credentials({ settings, onChange, secrets, onSecrets, keysKept }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = cartumOf(settings);
  const words = t.form.cartum;
  return (
    <>
      <TextField
        label={words.url}
        testId="account-store-url"
        value={s.url}
        placeholder="https://"
        hint={words.urlHint}
        onChange={(url) => onChange({ ...s, url })}
      />
      <LoginFields
        labels={labels(t)}
        loginType="text"
        login={s.login}
        onLogin={(login) => onChange({ ...s, login })}
        secrets={secrets}
        onSecrets={onSecrets}
        stored={keysKept}
        passwordHint={words.passwordHint}
      />
    </>
  );
}

function Options({ settings, onChange }: AccountFieldsProps) {
  const { t } = useI18n();
  const s = cartumOf(settings);
  const words = t.form.cartum;
  return (
    <>
      <label>
        {words.timezone}
        <input
          data-testid="account-timezone"
          type="text"
          list="cartum-timezones"
          autoComplete="off"
          value={s.timezone}
          onChange={(e) => onChange({ ...s, timezone: e.target.value })}
        />
        <datalist id="cartum-timezones">
          {COMMON_ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <span className="hint">{words.timezoneHint}</span>
      </label>
      <DaysField
        label={words.backfillDays}
        testId="account-backfill-days"
        value={s.backfill_days}
        hint={words.backfillDaysHint}
        onChange={(backfill_days) => onChange({ ...s, backfill_days })}
      />
      <DaysField
        label={words.windowDays}
        testId="account-window-days"
        value={s.window_days}
        hint={words.windowDaysHint}
        onChange={(window_days) => onChange({ ...s, window_days })}
      />
      <AcceptOnArrivalField
        label={words.acceptOnArrival}
        hint={words.acceptOnArrivalHint}
        value={s.accept_on_arrival}
        onChange={(accept_on_arrival) => onChange({ ...s, accept_on_arrival })}
      />
      <ProductKeyField
        label={words.identifyBy}
        names={words.productKeys}
        value={s.identify_products_by}
        onChange={(identify_products_by) => onChange({ ...s, identify_products_by })}
      />
    </>
  );
}

export const cartumAccountForm: AccountForm = {
  blank: () => ({
    kind: "cartum",
    url: "",
    login: "",
    timezone: TIMEZONE,
    backfill_days: BACKFILL_DAYS,
    window_days: WINDOW_DAYS,
    accept_on_arrival: true,
    identify_products_by: "sku",
    password_env: null,
  }),
  cleaned: (settings) => {
    const s = cartumOf(settings);
    return { ...s, url: trimmedAddress(s.url), login: s.login.trim(), timezone: s.timezone.trim() };
  },
  secrets: ["password"],
  problem: (settings, secrets, keysRequired, t) => {
    const s = cartumOf(settings);
    const words = t.form.cartum;
    const url = trimmedAddress(s.url);
    if (!url) return t.form.required(words.url);
    if (!keySafeAt(url)) return words.insecureUrl;
    const credentials = loginProblem(s.login, secrets, keysRequired, labels(t), t.form.required);
    if (credentials) return credentials;
    if (!knownTimeZone(s.timezone.trim())) return words.badTimezone;
    if (!daysInRange(s.backfill_days)) return words.backfillDaysRange;
    if (!daysInRange(s.window_days)) return words.windowDaysRange;
    return null;
  },
  storeAddress: (settings) => trimmedAddress(cartumOf(settings).url),
  title: (t) => t.form.cartum.title,
  Credentials,
  Options,
};
