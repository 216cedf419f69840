import { asc, count, eq, getTableColumns, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { customers, orders, type CustomerRow, type OrderRow } from '../db/schema.ts';
import { AppError, validationError } from '../errors.ts';
import { checkFields, cleanText, normalizePhoneNumber } from '../fields.ts';

export type Customer = CustomerRow;

export interface CustomerInput {
  name?: string | undefined;
  phone_number?: string | undefined;
}

const DUPLICATE_PHONE = 'customer with this phone number already exists.';

const CUSTOMER_RULES = { name: cleanText, phone_number: normalizePhoneNumber };

export async function createCustomer(db: Queryable, input: CustomerInput): Promise<Customer> {
  const { name, phone_number: phoneNumber } = checkFields(input, CUSTOMER_RULES, 'all');
  // ON CONFLICT keeps a race between two identical requests down to one row and
  // one clean 400, where a pre-check would let both through to the constraint.
  const [created] = await db
    .insert(customers)
    .values({ name, phoneNumber })
    .onConflictDoNothing({ target: customers.phoneNumber })
    .returning()
    .prepare('insert_customer')
    .execute();
  if (created === undefined) throw validationError({ phone_number: [DUPLICATE_PHONE] });
  return created;
}

export async function updateCustomer(
  db: Queryable,
  id: string,
  input: CustomerInput,
): Promise<Customer> {
  const { name, phone_number: phoneNumber } = checkFields(input, CUSTOMER_RULES, 'present');
  try {
    const [updated] = await db
      .update(customers)
      .set({ name, phoneNumber, updatedAt: new Date() })
      .where(eq(customers.id, id))
      .returning();
    if (updated === undefined) throw customerNotFound();
    return updated;
  } catch (error) {
    if (isUniqueViolation(error)) throw validationError({ phone_number: [DUPLICATE_PHONE] });
    throw error;
  }
}

export async function findCustomer(db: Queryable, id: string): Promise<Customer | undefined> {
  const [row] = await db
    .select()
    .from(customers)
    .where(eq(customers.id, id))
    .prepare('customer_by_id')
    .execute();
  return row;
}

export async function getCustomer(db: Queryable, id: string): Promise<Customer> {
  const customer = await findCustomer(db, id);
  if (customer === undefined) throw customerNotFound();
  return customer;
}

export async function getCustomerWithOrders(
  db: Queryable,
  id: string,
): Promise<{ customer: Customer; orders: PreciseOrderRow[] }> {
  // Both at once: one round trip of latency; the orders are dropped if there is no customer.
  const [customer, customerOrders] = await Promise.all([
    findCustomer(db, id),
    listOrdersOfCustomer(db, id),
  ]);
  if (customer === undefined) throw customerNotFound();
  return { customer, orders: customerOrders };
}

/** An order with the microseconds of its creation time, which a JavaScript Date drops. */
export type PreciseOrderRow = OrderRow & { createdAtMicroseconds: number };

export function listOrdersOfCustomer(
  db: Queryable,
  customerId: string,
): Promise<PreciseOrderRow[]> {
  return db
    .select({
      ...getTableColumns(orders),
      createdAtMicroseconds: sql<number>`extract(microseconds from ${orders.createdAt})::int % 1000000`,
    })
    .from(orders)
    .where(eq(orders.customerId, customerId))
    .orderBy(asc(orders.createdAt), asc(orders.id))
    .prepare('orders_of_customer')
    .execute();
}

/** One page in the original order (oldest first), with the total for page links. */
export async function listCustomersPage(
  db: Queryable,
  page: { offset: number; limit: number },
): Promise<{ total: number; customers: Customer[] }> {
  const [[totals], rows] = await Promise.all([
    db.select({ total: count() }).from(customers).prepare('count_customers').execute(),
    db
      .select()
      .from(customers)
      .orderBy(asc(customers.createdAt), asc(customers.id))
      // Placeholders keep the statement's text the same for every page (drizzle
      // leaves out `offset 0`), as a named prepared statement requires.
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare('customers_page')
      .execute(page),
  ]);
  return { total: totals?.total ?? 0, customers: rows };
}

/**
 * Deletes a customer. One with orders is refused (409) unless `force`, which deletes
 * the orders in the same transaction, so a crash never leaves half of them.
 */
export async function deleteCustomer(
  db: Queryable,
  id: string,
  options: { force: boolean },
): Promise<Customer> {
  return db.transaction(async (tx) => {
    // Lock the customer so no order is added between the count and the delete.
    const [customer] = await tx.select().from(customers).where(eq(customers.id, id)).for('update');
    if (customer === undefined) throw customerNotFound();
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
  return new AppError('customer_not_found', 'No Customer matches the given query.');
}
