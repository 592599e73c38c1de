// The language's number, date and relative-time formatters, each made once per language and
// options. Making one costs far more than using it (WebKit builds an ICU formatter each time):
// the Customers list made a thousand, one per row, before its first paint.

function madeOnce<O, F>(make: (locale: string, options?: O) => F): (locale: string, options?: O) => F {
  const made = new Map<string, F>();
  return (locale, options) => {
    const key = `${locale}\u0000${JSON.stringify(options ?? null)}`;
    let format = made.get(key);
    if (format === undefined) {
      // A constructor that throws (a currency code it does not know) leaves nothing behind.
      format = make(locale, options);
      made.set(key, format);
    }
    return format;
  };
}

export const numberFormat = madeOnce(
  (locale: string, options?: Intl.NumberFormatOptions) => new Intl.NumberFormat(locale, options),
);

export const dateTimeFormat = madeOnce(
  (locale: string, options?: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, options),
);

export const relativeTimeFormat = madeOnce(
  (locale: string, options?: Intl.RelativeTimeFormatOptions) => new Intl.RelativeTimeFormat(locale, options),
);
