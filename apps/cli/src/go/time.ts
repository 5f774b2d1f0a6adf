// Go's time.Time as skopeo prints it: parsed from RFC 3339 (as encoding/json does), written back
// as RFC3339Nano in JSON and with time.Time.String() in templates. Kept as text fields, not a JS
// Date, so that nanoseconds and the written offset survive exactly.

export interface GoTime {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** `hh:mm:ss` */
  readonly clock: string;
  /** Fraction of a second, up to 9 digits, without trailing zeros ("" when whole). */
  readonly fraction: string;
  /** Offset east of UTC in minutes. */
  readonly offsetMinutes: number;
  /** Written as "Z" (Go parses that as the UTC location). */
  readonly utc: boolean;
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Parses an RFC 3339 timestamp as Go's time.Time.UnmarshalJSON does; throws on anything else. */
export function parseGoTime(text: string): GoTime {
  const match = RFC3339.exec(text);
  if (!match) throw new Error(`parsing time ${JSON.stringify(text)} as RFC 3339: not a valid timestamp`);
  const [, year, month, day, hour, minute, second, fractionDigits, zulu, sign, offsetHour, offsetMinute] =
    match as unknown as string[];
  const monthNumber = Number(month);
  const dayNumber = Number(day);
  const yearNumber = Number(year);
  const leap = yearNumber % 4 === 0 && (yearNumber % 100 !== 0 || yearNumber % 400 === 0);
  const monthDays = monthNumber === 2 && !leap ? 28 : (DAYS_IN_MONTH[monthNumber - 1] ?? 0);
  if (
    monthNumber < 1 ||
    monthNumber > 12 ||
    dayNumber < 1 ||
    dayNumber > monthDays ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59 ||
    (offsetHour !== undefined && (Number(offsetHour) > 23 || Number(offsetMinute) > 59))
  ) {
    throw new Error(`parsing time ${JSON.stringify(text)}: a field is out of range`);
  }
  // Go keeps nanoseconds: longer fractions are truncated.
  const fraction = (fractionDigits ?? '').slice(0, 9).replace(/0+$/, '');
  const offsetMinutes =
    zulu !== undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHour) * 60 + Number(offsetMinute));
  return {
    date: `${year}-${month}-${day}`,
    clock: `${hour}:${minute}:${second}`,
    fraction,
    offsetMinutes,
    utc: zulu !== undefined || offsetMinutes === 0,
  };
}

/** The zero time.Time (a Docker config without `created`). */
export const GO_ZERO_TIME: GoTime = {
  date: '0001-01-01',
  clock: '00:00:00',
  fraction: '',
  offsetMinutes: 0,
  utc: true,
};

function offsetText(offsetMinutes: number, separator: string): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, '0');
  const minutes = String(absolute % 60).padStart(2, '0');
  return `${sign}${hours}${separator}${minutes}`;
}

/** time.RFC3339Nano, as encoding/json writes a time.Time. */
export function formatRFC3339Nano(time: GoTime): string {
  const fraction = time.fraction === '' ? '' : `.${time.fraction}`;
  const zone = time.offsetMinutes === 0 ? 'Z' : offsetText(time.offsetMinutes, ':');
  return `${time.date}T${time.clock}${fraction}${zone}`;
}

/**
 * time.Time.String(): "2006-01-02 15:04:05.999999999 -0700 MST". A parsed offset other than UTC
 * gets a zone without a name, which Go prints as the offset again.
 */
export function formatGoTimeString(time: GoTime): string {
  const fraction = time.fraction === '' ? '' : `.${time.fraction}`;
  const offset = offsetText(time.offsetMinutes, '');
  const zoneName = time.utc ? 'UTC' : offset;
  return `${time.date} ${time.clock}${fraction} ${offset} ${zoneName}`;
}
