import { count, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { customers, orders, type CustomerRow } from '../db/schema.ts';
import { readOffsetPage, type OffsetPage } from '../db/offset-pages.ts';
import type { StatementRunner } from '../db/statement-pool.ts';
import { AppError } from '../core/errors.ts';
import { checkFields, cleanText, normalizePhoneNumber, parseInstant } from '../core/fields.ts';
import { decodeCursor, encodeCursor, readKeysetPage, type CursorPage } from '../db/keyset.ts';
import type {
  CustomerChanges,
  CustomerFilters,
  CustomerInput,
  CustomerOrdering,
} from './customers.schemas.ts';
import {
  customerByIdForUpdate,
  updateCustomerById,
  CUSTOMERS_BY_CREATION,
  customersCountQuery,
  customersListQuery,
  type CustomerSearch,
  customerById,
  customersPage,
  customerWithOrders,
  insertCustomer,
  hasOrder,
  type PreciseOrderRow,
} from './customers.queries.ts';

export type { PreciseOrderRow } from './customers.queries.ts';

export type Customer = CustomerRow;

function phoneNumberTaken(): AppError {
  const message = 'A customer with this phone number already exists.';
  return new AppError('phone_number_taken', message, { phone_number: [message] });
}

const CUSTOMER_RULES = { name: cleanText, phone_number: normalizePhoneNumber };

export async function createCustomer(db: StatementRunner, input: CustomerInput): Promise<Customer> {
  const { name, phone_number: phoneNumber } = checkFields(input, CUSTOMER_RULES, 'all');
  // ON CONFLICT keeps a race between two identical requests down to one row and
  // one clean refusal, where a pre-check would let both through to the constraint.
  const [created] = await insertCustomer.rows(db, name, phoneNumber);
  if (created === undefined) throw phoneNumberTaken();
  return created;
}

export async function updateCustomer(
  db: StatementRunner,
  id: string,
  input: CustomerChanges,
): Promise<Customer> {
  const { name, phone_number: phoneNumber } = checkFields(input, CUSTOMER_RULES, 'present');
  try {
    const [updated] = await updateCustomerById.rows(db, id, name ?? null, phoneNumber ?? null);
    if (updated === undefined) throw customerNotFound();
    return updated;
  } catch (error) {
    if (isUniqueViolation(error)) throw phoneNumberTaken();
    throw error;
  }
}

/** The customer, locked until the transaction ends; undefined if there is none. */
export async function lockCustomer(db: StatementRunner, id: string): Promise<Customer | undefined> {
  const [row] = await customerByIdForUpdate.rows(db, id);
  return row;
}

export async function findCustomer(db: StatementRunner, id: string): Promise<Customer | undefined> {
  const [row] = await customerById.rows(db, id);
  return row;
}

export async function getCustomer(db: StatementRunner, id: string): Promise<Customer> {
  const customer = await findCustomer(db, id);
  if (customer === undefined) throw customerNotFound();
  return customer;
}

/** The customer and their orders, oldest first, in one statement. */
export async function getCustomerWithOrders(
  db: StatementRunner,
  id: string,
): Promise<{ customer: Customer; orders: PreciseOrderRow[] }> {
  const rows = await customerWithOrders.rows(db, id);
  const [first] = rows;
  if (first === undefined) throw customerNotFound();
  const customer: Customer = {
    id: first.id,
    name: first.name,
    phoneNumber: first.phoneNumber,
    createdAt: first.createdAt,
    updatedAt: first.updatedAt,
  };
  // A customer without orders is one row whose order columns are null.
  const orders = rows.filter(hasOrder).map((row): PreciseOrderRow => ({
    id: row.order_id,
    customerId: id,
    item: row.order_item,
    amount: row.order_amount,
    currency: row.order_currency,
    createdAt: row.order_createdAt,
    updatedAt: row.order_updatedAt,
    createdAtMicroseconds: row.order_createdAtMicroseconds,
  }));
  return { customer, orders };
}

/** One page in the original order (oldest first), with the total for page links. */
export function listCustomersPage(
  db: StatementRunner,
  page: number | 'last',
): Promise<OffsetPage<Customer>> {
  return readOffsetPage(customersPage, db, page);
}

export interface CustomerListOptions extends CustomerFilters {
  ordering: CustomerOrdering;
  limit: number;
  cursor?: string | undefined;
}

const SEARCH_RULES = {
  q: (value: string) => value.trim(),
  created_after: parseInstant,
  created_before: parseInstant,
};

// A search that is only digits and the signs of phone notation (+ 254 (701) 036-054)
// looks for the start of a phone number (00 is the international prefix written out);
// any other, for part of a name.
const PHONE_NOTATION = /^\+?[\d\s().-]*\d[\d\s().-]*$/;

function customerSearch(filters: CustomerFilters): CustomerSearch {
  const { q, created_after, created_before } = checkFields(filters, SEARCH_RULES, 'present');
  const search: CustomerSearch = { createdAfter: created_after, createdBefore: created_before };
  if (q !== undefined && q !== '') {
    if (PHONE_NOTATION.test(q)) {
      const digits = q.replace(/\D/g, '');
      search.phonePrefix = `+${!q.startsWith('+') && digits.startsWith('00') ? digits.slice(2) : digits}`;
    } else {
      search.nameContains = q;
    }
  }
  return search;
}

/** Customers, a page at a time by cursor, filtered and ordered as asked. */
export async function listCustomers(
  db: StatementRunner,
  options: CustomerListOptions,
): Promise<CursorPage<Customer>> {
  const ordering = CUSTOMERS_BY_CREATION[options.ordering];
  const position =
    options.cursor === undefined ? undefined : decodeCursor(options.cursor, ordering);
  const query = customersListQuery(customerSearch(options), {
    ordering,
    limit: options.limit,
    position,
  });
  const page = await readKeysetPage<Customer>(db, query);
  return {
    rows: page.rows,
    next: page.next && encodeCursor(page.next, ordering),
    previous: page.previous && encodeCursor(page.previous, ordering),
  };
}

/** How many customers the filters find, exactly. */
export async function countCustomers(
  db: StatementRunner,
  filters: CustomerFilters,
): Promise<number> {
  const { text, values, options } = customersCountQuery(customerSearch(filters));
  const [row] = await db.run<{ total: string }>(text, values, options);
  return Number(row?.total ?? 0);
}

/**
 * Deletes a customer. One with orders is refused (409) unless `force`, which deletes
 * the orders in the same transaction, so a crash never leaves half of them.
 */
export async function deleteCustomer(
  db: Queryable,
  id: string,
  options: {
    force: boolean;
    /** Throws to refuse the delete, given the customer as it is, locked. */
    precondition?: (customer: Customer) => void;
  },
): Promise<Customer> {
  return db.transaction(async (tx) => {
    // Lock the customer so no order is added between the count and the delete.
    const [customer] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    if (customer === undefined) throw customerNotFound();
    options.precondition?.(customer);
    const [orderCount] = await tx
      .select({ total: count() })
      .from(orders)
      .where(eq(orders.customerId, id));
    const total = orderCount?.total ?? 0;
    if (total > 0 && !options.force) {
      throw new AppError(
        'customer_has_orders',
        `Customer has ${total} order${total === 1 ? '' : 's'}; delete them first, or pass ?force=true to delete the customer with its orders.`,
      );
    }
    if (total > 0) await tx.delete(orders).where(eq(orders.customerId, id));
    await tx.delete(customers).where(eq(customers.id, id));
    return customer;
  });
}

export function customerNotFound(): AppError {
  return new AppError('customer_not_found', 'There is no customer with this id.');
}
