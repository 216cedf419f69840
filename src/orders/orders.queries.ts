// The orders' hot statements (see db/statement.ts): each route sends one.
import type { OrderRow } from '../db/schema.ts';
import { offsetPageSql, type OffsetPageRow } from '../db/offset-pages.ts';
import { statement, type Nullable } from '../db/statement.ts';

/** An order's columns from `t` and its customer's from `c`, named as OrderWithCustomerRow. */
const ORDER_COLUMNS = `t.id, t.customer_id as "customerId", t.item, t.amount, t.currency,
  t.created_at as "createdAt", t.updated_at as "updatedAt",
  c.name as "customerName", c.phone_number as "customerPhoneNumber",
  c.created_at as "customerCreatedAt", c.updated_at as "customerUpdatedAt"`;

const WITH_CUSTOMER = 'join customers c on c.id = t.customer_id';

export type OrderWithCustomerRow = OrderRow & {
  customerName: string;
  customerPhoneNumber: string;
  customerCreatedAt: Date;
  customerUpdatedAt: Date;
};

export const orderById = statement<OrderWithCustomerRow, [id: string]>(
  `select ${ORDER_COLUMNS} from orders t ${WITH_CUSTOMER} where t.id = $1`,
);

export const ordersPage = statement<OffsetPageRow & Nullable<OrderWithCustomerRow>, [page: number]>(
  offsetPageSql({
    table: 'orders',
    columns: ORDER_COLUMNS,
    joins: WITH_CUSTOMER,
  }),
);

/**
 * The order and its SMS in one statement, so both commit or neither without a
 * transaction's extra round trips. The id is chosen by the caller: the SMS text names it.
 */
export const insertOrderWithSms = statement<
  OrderRow,
  [
    id: string,
    customerId: string,
    item: string,
    amount: string,
    currency: string,
    smsTo: string,
    smsBody: string,
  ]
>(
  `with t as (
     insert into orders (id, customer_id, item, amount, currency) values ($1, $2, $3, $4, $5)
     returning *
   ), sms as (
     insert into sms_messages (order_id, to_number, body) select id, $6, $7 from t
   )
   select t.id, t.customer_id as "customerId", t.item, t.amount, t.currency,
     t.created_at as "createdAt", t.updated_at as "updatedAt"
   from t`,
);

/** Changes what is given (null keeps the value); answers the order as the update left it. */
export const updateOrderById = statement<
  OrderWithCustomerRow,
  [id: string, item: string | null, amount: string | null]
>(
  `with t as (
     update orders set item = coalesce($2, item), amount = coalesce($3::numeric, amount),
       updated_at = now()
     where id = $1
     returning *
   )
   select ${ORDER_COLUMNS} from t ${WITH_CUSTOMER}`,
);
