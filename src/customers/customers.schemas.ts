// A customer as people give it, defined once: the services' input types come from
// these schemas, and each API builds its request schemas from them.
import { Type, type Static } from 'typebox';

export const CustomerName = Type.String({
  description: '1–100 characters after trimming',
  examples: ['Wanjiru Kamau'],
});

export const PhoneNumber = Type.String({
  description: 'With its country code, in any common notation; stored as E.164',
  examples: ['+254701036054'],
});

export const CustomerInput = Type.Object({ name: CustomerName, phone_number: PhoneNumber });
export type CustomerInput = Static<typeof CustomerInput>;

/** What an update may change: any of the fields, the others kept. */
export const CustomerChanges = Type.Partial(CustomerInput);
export type CustomerChanges = Static<typeof CustomerChanges>;

/** How a list of customers may be ordered: oldest or newest first. */
export const CUSTOMER_ORDERINGS = ['created_at', '-created_at'] as const;
export type CustomerOrdering = (typeof CUSTOMER_ORDERINGS)[number];

/** Which customers a list shows, as the APIs hand it over (checked by the service). */
export interface CustomerFilters {
  /** Part of the name (any case), or the start of the phone number in any notation. */
  q?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}
