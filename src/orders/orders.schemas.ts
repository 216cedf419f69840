// An order as people give it, defined once: the services' input types come from
// these schemas, and each API builds its request schemas from them.
import { Type, type Static } from 'typebox';

export const CustomerId = Type.String({
  description: 'The id of an existing customer',
  examples: ['0f8fad5b-d9cb-469f-a165-70867728950e'],
});

export const Item = Type.String({
  description: '1–100 characters after trimming',
  examples: ['Mandazi, 2 dozen'],
});

// A JSON number is taken too (the original API's clients send one), and read from its
// source text, never through a float.
export const Amount = Type.Union([Type.String(), Type.Number()], {
  description:
    'Greater than 0, at most 2 decimals and 10 digits before the point; a decimal string (or a JSON number)',
  examples: ['1250.00'],
});

export const OrderInput = Type.Object({ customer_id: CustomerId, item: Item, amount: Amount });
export type OrderInput = Static<typeof OrderInput>;

/** A new order as a route hands it over: the service names each field that is missing. */
export type OrderDraft = Partial<OrderInput>;

/** What an update may change (an order keeps its customer). */
export const OrderChanges = Type.Partial(Type.Object({ item: Item, amount: Amount }));
export type OrderChanges = Static<typeof OrderChanges>;

/** How a list of orders may be ordered: by creation or amount, either way. */
export const ORDER_ORDERINGS = ['created_at', '-created_at', 'amount', '-amount'] as const;
export type OrderOrdering = (typeof ORDER_ORDERINGS)[number];

/** Which orders a list shows, as the APIs hand it over (checked by the service). */
export interface OrderFilters {
  customer_id?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
  min_amount?: string | undefined;
  max_amount?: string | undefined;
  /** Part of the item, in any case. */
  q?: string | undefined;
  sms_status?: string | undefined;
}
