// Sizes and speeds as skopeo's progress bars print them (mpb's SizeB1024 with "%.1f": 12.5MiB).

const UNITS = ['b', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)}${UNITS[unit]}`;
}

export function formatSpeed(bytesPerSecond: number): string {
  const text = formatBytes(bytesPerSecond);
  const split = text.search(/[a-zA-Z]/);
  return `${text.slice(0, split)} ${text.slice(split)}/s`;
}

/** The first 12 hex digits, as skopeo's bars show a digest. */
export function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return digest.slice(colon + 1, colon + 13);
}

/** Bytes per second over a sliding window of samples. */
export class SpeedMeter {
  private readonly samples: Array<{ time: number; bytes: number }> = [];

  constructor(private readonly windowMs = 3000) {}

  add(time: number, bytes: number): void {
    this.samples.push({ time, bytes });
    while (this.samples.length > 2 && time - (this.samples[0] as { time: number }).time > this.windowMs) {
      this.samples.shift();
    }
  }

  perSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.time <= first.time) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.time - first.time);
  }
}
