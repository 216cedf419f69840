// The customers' hot statements (see db/statement.ts): each route sends one.
import type { CustomerRow, OrderRow } from '../db/schema.ts';
import { offsetPageSql, type OffsetPageRow } from '../db/offset-pages.ts';
import { statement, type Nullable } from '../db/statement.ts';

/** A customer's columns, named as CustomerRow names them, read from `t`. */
export const CUSTOMER_COLUMNS = `t.id, t.name, t.phone_number as "phoneNumber",
  t.created_at as "createdAt", t.updated_at as "updatedAt"`;

export const customerById = statement<CustomerRow, [id: string]>(
  `select ${CUSTOMER_COLUMNS} from customers t where t.id = $1`,
);

/** No row when the phone number is taken: ON CONFLICT keeps a race to one row. */
export const insertCustomer = statement<CustomerRow, [name: string, phoneNumber: string]>(
  `insert into customers as t (name, phone_number) values ($1, $2)
   on conflict (phone_number) do nothing
   returning ${CUSTOMER_COLUMNS}`,
);

export const customersPage = statement<OffsetPageRow & Nullable<CustomerRow>, [page: number]>(
  offsetPageSql({ table: 'customers', columns: CUSTOMER_COLUMNS }),
);

/** An order with the microseconds of its creation time, which a JavaScript Date drops. */
export type PreciseOrderRow = OrderRow & { createdAtMicroseconds: number };

type OrderOfCustomer = { [Key in keyof PreciseOrderRow as `order_${Key}`]: PreciseOrderRow[Key] };
type CustomerWithOrdersRow = CustomerRow & Nullable<OrderOfCustomer>;

/** Whether the row has an order: a customer without any is one row with the order columns null. */
export const hasOrder = (row: CustomerWithOrdersRow): row is CustomerRow & OrderOfCustomer =>
  row.order_id !== null;

/** The customer on every row, with one of their orders (none: one row, order columns null). */
export const customerWithOrders = statement<CustomerWithOrdersRow, [id: string]>(
  `select ${CUSTOMER_COLUMNS},
     o.id as "order_id", o.customer_id as "order_customerId", o.item as "order_item",
     o.amount as "order_amount", o.currency as "order_currency",
     o.created_at as "order_createdAt", o.updated_at as "order_updatedAt",
     extract(microseconds from o.created_at)::int % 1000000 as "order_createdAtMicroseconds"
   from customers t left join orders o on o.customer_id = t.id
   where t.id = $1
   order by o.created_at, o.id`,
);
