// How values read on a page: times in UTC (the server does not know the reader's
// zone; pages say "UTC"), phone numbers grouped as people write them.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** "3 Dec 2026, 06:50 UTC". */
export function formatDateTime(value: Date): string {
  return `${DATE_TIME.format(value)} UTC`;
}

/** "+254 701 036054" from the stored E.164 "+254701036054". */
export function formatPhoneNumber(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/**
 * "KES 1,250.50" from the decimal string "1250.5" and its currency: the digits are
 * grouped as text, never through a float, so no amount is rounded on its way to the page.
 */
export function formatMoney(amount: string, currency: string): string {
  const [whole = '0', fraction = ''] = amount.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${currency} ${grouped}.${fraction.padEnd(2, '0')}`;
}
