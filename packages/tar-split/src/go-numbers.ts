// Go's strconv rules for the decimal numbers in PAX records (ParseInt base 10, 64 bits), and
// its PAX time syntax, so we accept and refuse exactly the records Go does.

const DECIMAL = /^[+-]?[0-9]+$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(text, 10, 64) as a bigint, or undefined where Go fails. */
export function parseGoInt64(text: string): bigint | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const value = BigInt(text);
  return value < INT64_MIN || value > INT64_MAX ? undefined : value;
}

/** Go's parsePAXTime: `[-]seconds[.fraction]`; returns milliseconds since the epoch, or undefined. */
export function parsePaxTime(text: string): number | undefined {
  const dot = text.indexOf('.');
  const secondsText = dot < 0 ? text : text.slice(0, dot);
  const fraction = dot < 0 ? '' : text.slice(dot + 1);
  const seconds = parseGoInt64(secondsText);
  if (seconds === undefined || !/^[0-9]*$/.test(fraction)) return undefined;
  const nanos = Number((fraction + '000000000').slice(0, 9));
  const negative = secondsText.startsWith('-');
  return Number(seconds) * 1000 + ((negative ? -1 : 1) * nanos) / 1e6;
}
