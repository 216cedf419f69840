// The orders' hot statements (see db/statement.ts): each route sends one.
import type { OrderRow, SmsStatus } from '../db/schema.ts';
import {
  likeLiteral,
  planOptions,
  SqlParameters,
  type KeysetQuery,
  type Ordering,
  type SearchStatement,
} from '../db/keyset.ts';
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

/** An order with its customer and the state of its SMS (null columns: it has none). */
export type OrderWithSmsRow = OrderWithCustomerRow & {
  smsStatus: SmsStatus | null;
  smsAttempts: number | null;
  smsLastError: string | null;
  smsSentAt: Date | null;
  smsDeliveredAt: Date | null;
};

const SMS_COLUMNS = `s.status as "smsStatus", s.attempts as "smsAttempts",
  s.last_error as "smsLastError", s.sent_at as "smsSentAt", s.delivered_at as "smsDeliveredAt"`;

// One SMS per order (a unique index on order_id); an imported order may have none.
const WITH_CUSTOMER_AND_SMS = `${WITH_CUSTOMER} left join sms_messages s on s.order_id = t.id`;

export const orderWithSmsById = statement<OrderWithSmsRow, [id: string]>(
  `select ${ORDER_COLUMNS}, ${SMS_COLUMNS} from orders t ${WITH_CUSTOMER_AND_SMS} where t.id = $1`,
);

/** The same, the order locked until the transaction ends: for a change that checks it first. */
export const orderWithSmsByIdForUpdate = statement<OrderWithSmsRow, [id: string]>(
  `${orderWithSmsById.text} for update of t`,
);

export const deleteOrderById = statement<{ id: string }, [id: string]>(
  'delete from orders where id = $1 returning id',
);

const byKey = (
  name: string,
  column: string,
  type: 'timestamptz' | 'numeric',
): [string, Ordering][] => [
  [name, { name, key: { column, type }, direction: 'asc' }],
  [`-${name}`, { name: `-${name}`, key: { column, type }, direction: 'desc' }],
];

export const ORDER_ORDERINGS_SQL: Record<string, Ordering> = Object.fromEntries([
  ...byKey('created_at', 't.created_at', 'timestamptz'),
  ...byKey('amount', 't.amount', 'numeric'),
]);

/** What a list of orders is filtered by, checked and normalised. */
export interface OrderSearch {
  customerId?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
  minAmount?: string | undefined;
  maxAmount?: string | undefined;
  itemContains?: string | undefined;
  smsStatus?: SmsStatus | undefined;
}

/**
 * The conditions of an order search, each served by an index: (customer_id,
 * created_at, id), (created_at, id), (amount, id), the item's trigrams, and the SMS's
 * (status, created_at).
 */
function searchConditions(search: OrderSearch, parameters: SqlParameters): string[] {
  const where: string[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    if (value !== undefined) where.push(condition(parameters.add(value)));
  };
  add((value) => `t.customer_id = ${value}::uuid`, search.customerId);
  add((value) => `t.created_at > ${value}::timestamptz`, search.createdAfter);
  add((value) => `t.created_at < ${value}::timestamptz`, search.createdBefore);
  add((value) => `t.amount >= ${value}::numeric`, search.minAmount);
  add((value) => `t.amount <= ${value}::numeric`, search.maxAmount);
  add(
    (value) => `t.item ilike ${value}`,
    search.itemContains === undefined ? undefined : `%${likeLiteral(search.itemContains)}%`,
  );
  add((value) => `s.status = ${value}`, search.smsStatus);
  return where;
}

export function ordersListQuery(
  search: OrderSearch,
  page: Pick<KeysetQuery, 'ordering' | 'limit' | 'position'>,
): KeysetQuery {
  const parameters = new SqlParameters();
  const where = searchConditions(search, parameters);
  return {
    select: `${ORDER_COLUMNS}, ${SMS_COLUMNS}`,
    from: `orders t ${WITH_CUSTOMER_AND_SMS}`,
    where,
    parameters,
    ...page,
  };
}

/** The exact number of orders a search finds: from row_counts when nothing is filtered. */
export function ordersCountQuery(search: OrderSearch): SearchStatement {
  const parameters = new SqlParameters();
  const where = searchConditions(search, parameters);
  if (where.length === 0) {
    return {
      text: `select coalesce(sum(count), 0)::bigint as "total" from row_counts where table_name = 'orders'`,
      values: [],
      options: planOptions(where),
    };
  }
  const sms = search.smsStatus === undefined ? '' : 'left join sms_messages s on s.order_id = t.id';
  return {
    text: `select count(*) as "total" from orders t ${sms} where ${where.join(' and ')}`,
    values: parameters.values,
    options: planOptions(where),
  };
}

/** A customer's orders counted and summed per currency: sums stay numeric in SQL, sent as text. */
export const customerOrderTotalsById = statement<
  { currency: string; orders: number; amount: string },
  [customerId: string]
>(
  `select currency, count(*)::int as orders, sum(amount)::text as amount
   from orders where customer_id = $1 group by currency order by currency`,
);
