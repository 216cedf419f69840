// The customers' hot statements (see db/statement.ts): each route sends one.
import type { CustomerRow, OrderRow } from '../db/schema.ts';
import { offsetPageSql, type OffsetPageRow } from '../db/offset-pages.ts';
import {
  likeLiteral,
  planOptions,
  SqlParameters,
  type KeysetQuery,
  type Ordering,
  type SearchStatement,
} from '../db/keyset.ts';
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

/** Changes what is given (null keeps the value); no row for an unknown id. */
export const updateCustomerById = statement<
  CustomerRow,
  [id: string, name: string | null, phoneNumber: string | null]
>(
  `update customers as t
   set name = coalesce($2, t.name), phone_number = coalesce($3, t.phone_number), updated_at = now()
   where t.id = $1
   returning ${CUSTOMER_COLUMNS}`,
);

/** The customer, locked until the transaction ends: for a change that checks it first. */
export const customerByIdForUpdate = statement<CustomerRow, [id: string]>(
  `select ${CUSTOMER_COLUMNS} from customers t where t.id = $1 for update`,
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

/** What a list of customers is filtered by, checked and normalised. */
export interface CustomerSearch {
  nameContains?: string | undefined;
  phonePrefix?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

export const CUSTOMERS_BY_CREATION: Record<'created_at' | '-created_at', Ordering> = {
  created_at: {
    name: 'created_at',
    key: { column: 't.created_at', type: 'timestamptz' },
    direction: 'asc',
  },
  '-created_at': {
    name: '-created_at',
    key: { column: 't.created_at', type: 'timestamptz' },
    direction: 'desc',
  },
};

/**
 * The conditions of a customer search. The name is matched through a trigram index
 * (customers_name_trgm_idx), the phone number's start through a text_pattern_ops one
 * (customers_phone_number_prefix_idx).
 */
function searchConditions(search: CustomerSearch, parameters: SqlParameters): string[] {
  const where: string[] = [];
  const matches: string[] = [];
  if (search.nameContains !== undefined) {
    matches.push(`t.name ilike ${parameters.add(`%${likeLiteral(search.nameContains)}%`)}`);
  }
  if (search.phonePrefix !== undefined) {
    matches.push(`t.phone_number like ${parameters.add(`${likeLiteral(search.phonePrefix)}%`)}`);
  }
  if (matches.length > 0) where.push(`(${matches.join(' or ')})`);
  if (search.createdAfter !== undefined) {
    where.push(`t.created_at > ${parameters.add(search.createdAfter)}::timestamptz`);
  }
  if (search.createdBefore !== undefined) {
    where.push(`t.created_at < ${parameters.add(search.createdBefore)}::timestamptz`);
  }
  return where;
}

export function customersListQuery(
  search: CustomerSearch,
  page: Pick<KeysetQuery, 'ordering' | 'limit' | 'position'>,
): KeysetQuery {
  const parameters = new SqlParameters();
  const where = searchConditions(search, parameters);
  return { select: CUSTOMER_COLUMNS, from: 'customers t', where, parameters, ...page };
}

/** The exact number of customers a search finds: from row_counts when nothing is filtered. */
export function customersCountQuery(search: CustomerSearch): SearchStatement {
  const parameters = new SqlParameters();
  const where = searchConditions(search, parameters);
  if (where.length === 0) {
    return {
      text: `select coalesce(sum(count), 0)::bigint as "total" from row_counts where table_name = 'customers'`,
      values: [],
      options: planOptions(where),
    };
  }
  return {
    text: `select count(*) as "total" from customers t where ${where.join(' and ')}`,
    values: parameters.values,
    options: planOptions(where),
  };
}
