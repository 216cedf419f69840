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
