/** Readable numbers for the page: scientific notation with superscript exponents, percentages, durations. */

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '-': '⁻',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

/** `x` as `m × 10ᵉ` with `digits` significant digits (`5.33 × 10⁻²`); `0`, `∞` and `NaN` as themselves. */
export function formatScientific(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const [mantissa, exponent] = x.toExponential(digits - 1).split('e');
  const sign = mantissa.startsWith('-') ? '−' : '';
  const power = Number(exponent);
  const body = mantissa.replace('-', '');
  if (power === 0) return `${sign}${body}`;
  return `${sign}${body} × ${formatPowerOfTen(power)}`;
}

/** `10` to an integer power with a superscript exponent: `-4 → "10⁻⁴"`, `0 → "10⁰"`. */
export function formatPowerOfTen(exponent: number): string {
  const superscript = String(exponent)
    .split('')
    .map((c) => SUPERSCRIPT[c])
    .join('');
  return `10${superscript}`;
}

/** Plain decimals between 10⁻³ and 10⁴, scientific notation outside. */
export function formatNumber(x: number, digits = 3): string {
  const magnitude = Math.abs(x);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4 || !Number.isFinite(x))) {
    return formatScientific(x, digits);
  }
  const text = Number(x.toPrecision(digits)).toString();
  return text.startsWith('-') ? `−${text.slice(1)}` : text;
}

/** A fraction as a percentage with at most one decimal: `1 → "100 %"`, `0.9751 → "97.5 %"`. */
export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(1))} %`;
}

/** A duration: milliseconds below one second, else seconds with two decimals. */
export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(2)} s`;
}
