// Shapes of the original Django app's API, kept byte-for-byte for its clients.
import { Type } from 'typebox';
import { CustomerChanges, CustomerInput } from '../../customers/customers.schemas.ts';
import { Amount, CustomerId, Item, OrderChanges } from '../../orders/orders.schemas.ts';

export const LegacyCustomerSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  phone_number: Type.String({ description: 'E.164, like +254701036054' }),
});

export const LegacyOrderSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  item: Type.String(),
  amount: Type.String({ description: 'Decimal with two places, like "500.00"' }),
  created_at: Type.String({ description: 'UTC, like "June 25, 2024, 05:54 PM"' }),
  customer: LegacyCustomerSchema,
});

export const LegacyCustomerDetailsSchema = Type.Object({
  Customer_details: LegacyCustomerSchema,
  orders: Type.Array(
    Type.Object({
      created_at: Type.String({ description: 'ISO 8601, like "2022-02-02T05:28:32Z"' }),
      item: Type.String(),
      // Written with JSON.rawJSON from the stored decimal text: a number on the wire,
      // never a float in between.
      amount: Type.Unsafe<JSONRawValue>({
        type: 'number',
        description: 'A JSON number, like 945.49',
      }),
    }),
  ),
});

export const LegacyPageQuerySchema = Type.Object({
  page: Type.Optional(Type.String({ description: 'Page number from 1, or "last"' })),
});

export function legacyPageSchema<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({
    count: Type.Integer(),
    next: Type.Union([Type.String(), Type.Null()]),
    previous: Type.Union([Type.String(), Type.Null()]),
    results: Type.Array(item),
  });
}

export const LegacyIdParamsSchema = Type.Object({ id: Type.String() });

export const LegacyDetailSchema = Type.Object({ detail: Type.String() });

// Request bodies: the domains' schemas, with the original API's leniencies.
export const CreateCustomerSchema = CustomerInput;
export const UpdateCustomerSchema = CustomerChanges;

// Every field optional for the schema, types still checked: the original looked the
// customer up before reading the rest, so a missing customer_id answers 404 and an
// unknown customer 404 whatever else is missing; the service then names what is.
export const CreateOrderSchema = Type.Partial(
  Type.Object({
    customer_id: Type.Union([CustomerId, Type.Null()]),
    item: Item,
    amount: Amount,
  }),
);
export const UpdateOrderSchema = OrderChanges;
