// What the UI knows about one integration: everything vendor-specific sits in its folder
// (ui/src/integrations/<name>/) behind this shape, so screens ask the registry, never a vendor.
import type { ComponentType } from "react";
import type { Secrets } from "../api";
import type { Account } from "../bindings/Account";
import type { AccountDraft } from "../bindings/AccountDraft";
import type { AccountKind } from "../bindings/AccountKind";
import type { AccountSettings } from "../bindings/AccountSettings";
import type { ConnectionReport } from "../bindings/ConnectionReport";
import type { ShopOrderFull } from "../bindings/ShopOrderFull";
import type { Messages } from "../i18n/en";

/** What an integration's part of the account form edits: its own settings and secrets. */
export type AccountFieldsProps = {
  settings: AccountSettings;
  onChange: (settings: AccountSettings) => void;
  secrets: Secrets;
  onSecrets: (secrets: Secrets) => void;
  /** The saved account being edited; null for a new one. */
  account: Account | null;
  /** Empty secret fields keep the stored keys: a saved account whose address is unchanged (a new
   * address gets none of them). */
  keysKept: boolean;
};

/** Options below the common fields; they may ask the marketplace (with the draft as typed). */
export type AccountOptionsProps = AccountFieldsProps & {
  draft: () => AccountDraft;
  /** The last connection test's result, null before one (or after an edit). */
  report: ConnectionReport | null;
};

export type AccountForm = {
  /** A new account's settings: every field at its default. */
  blank: () => AccountSettings;
  /** The settings as saved (typed text trimmed). */
  cleaned: (settings: AccountSettings) => AccountSettings;
  /** The secret fields it stores (only these travel). */
  secrets: readonly (keyof Secrets)[];
  /** What is missing or wrong, in words; null when the form can be sent. `keysRequired`: the keychain holds no
   * usable secrets for the account (a new one, or one whose base URL changed). */
  problem: (settings: AccountSettings, secrets: Secrets, keysRequired: boolean, t: Messages) => string | null;
  /** The address the keys are sent to, when the settings hold it (a store's own site): the form
   * then offers no API address of its own (the draft's base_url stays null), and a changed address
   * asks for the keys again, as a changed API address does. */
  storeAddress?: (settings: AccountSettings) => string;
  /** The new-account form's title. */
  title: (t: Messages) => string;
  /** Identity and secrets, above the common fields. */
  Credentials: ComponentType<AccountFieldsProps>;
  /** Its own options, below the common fields. */
  Options?: ComponentType<AccountOptionsProps>;
};

export type Integration = {
  kind: AccountKind;
  /** The name managers know it by (a brand: the same in every language). */
  name: string;
  /** The account's identity at the marketplace, shown beside its name (a client id, a login). */
  identity: (settings: AccountSettings) => string;
  /** It sends its orders to the shop's intake (core's `receives_pushes`): nothing to poll. */
  receivesPushes: boolean;
  /** Its orders become shop orders in the All-orders cabinet (a filter by kind offers it). */
  inCabinet: boolean;
  /** It takes orders sent from here (a CRM, a delivery service): nothing is polled from it and it
   * makes no marketplace decisions, so screens offer it as a "Send to" target instead. */
  transferTarget: boolean;
  /** The statuses its orders can report, for the status-update editor; none when the account
   * loads its own list from the marketplace. */
  orderStatuses: readonly string[];
  /** The API address the account uses when none is typed, shown as the form's suggestion: it may
   * depend on the settings (a region's host). Like a typed one, a new such address asks for the
   * keys again (the engine's service_address). */
  defaultBaseUrl: (settings: AccountSettings) => string;
  /** Its part of the account form. */
  accountForm: AccountForm;
  /** The cancel reasons it documents, offered until its own list is loaded. */
  cancelReasons: readonly number[];
  /** What the shop-order screen shows about an order from it, if anything. */
  OrderFacts?: ComponentType<{ order: ShopOrderFull }>;
};

/** A ";"-separated list as typed (values may hold spaces). */
export const listOf = (text: string): string[] =>
  text
    .split(";")
    .map((v) => v.trim())
    .filter(Boolean);

/** Codes separated by ";", "," or spaces. */
export const codesOf = (text: string): string[] =>
  text
    .split(/[;,\s]+/)
    .map((c) => c.trim())
    .filter(Boolean);
