import { asc, count, eq, sql } from 'drizzle-orm';
import {
  customerNotFound,
  getCustomer,
  getCustomerWithOrders,
  type Customer,
} from '../customers/customers.service.ts';
import type { Queryable } from '../db/client.ts';
import { isForeignKeyViolation } from '../db/errors.ts';
import { customers, orders, type OrderRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { checkFields, checkUuid, cleanText, parseAmount } from '../fields.ts';
import { enqueueOrderSms } from '../sms/outbox.ts';
import type { WakeSmsWorkers } from '../sms/wake-up.ts';

export type Order = OrderRow & { customer: Customer };

export interface OrderInput {
  customer_id?: string | undefined;
  item?: string | undefined;
  amount?: string | number | undefined;
}

export interface OrderSettings {
  /** Currency of new orders (DEFAULT_CURRENCY). */
  currency: string;
  /** SMS_TEMPLATE, when set. */
  smsTemplate: string | undefined;
  /** Called once the order (and its SMS) committed. */
  wakeSmsWorkers?: WakeSmsWorkers | undefined;
}

const ORDER_RULES = { customer_id: checkUuid, item: cleanText, amount: parseAmount };

/**
 * The one way an order is created, whatever the route: a single transaction, so
 * what must happen with a new order (its SMS) commits or rolls back with it.
 */
export async function createOrder(
  db: Queryable,
  input: OrderInput,
  settings: OrderSettings,
): Promise<Order> {
  const { customer_id: customerId, item, amount } = checkFields(input, ORDER_RULES, 'all');
  const order = await db.transaction(async (tx) => {
    const customer = await getCustomer(tx, customerId);
    try {
      const [order] = await tx
        .insert(orders)
        .values({ customerId, item, amount, currency: settings.currency })
        .returning()
        .prepare('insert_order')
        .execute();
      if (order === undefined) throw new Error('insert returned no row');
      // The customer's SMS, in this same transaction: no order without its SMS, and
      // no SMS for an order that rolled back.
      await enqueueOrderSms(
        tx,
        {
          orderId: order.id,
          to: customer.phoneNumber,
          customerName: customer.name,
          item: order.item,
          amount: order.amount,
          currency: order.currency,
        },
        settings.smsTemplate,
      );
      return { ...order, customer };
    } catch (error) {
      // The customer was deleted between our read and the insert.
      if (isForeignKeyViolation(error)) throw customerNotFound();
      throw error;
    }
  });
  settings.wakeSmsWorkers?.();
  return order;
}

/** Partial update of item and amount; other fields are ignored, as the original did. */
export async function updateOrder(db: Queryable, id: string, input: OrderInput): Promise<Order> {
  // Only item and amount may change; customer_id and unknown fields are ignored.
  const { item, amount } = checkFields(input, { item: cleanText, amount: parseAmount }, 'present');
  // One transaction: the answer is the order as this update left it, even if it is
  // deleted a moment later.
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(orders)
      .set({ item, amount, updatedAt: new Date() })
      .where(eq(orders.id, id))
      .returning({ id: orders.id });
    if (updated === undefined) throw orderNotFound();
    return getOrder(tx, id);
  });
}

export async function getOrder(db: Queryable, id: string): Promise<Order> {
  const [row] = await selectOrders(db).where(eq(orders.id, id)).prepare('order_by_id').execute();
  if (row === undefined) throw orderNotFound();
  return toOrder(row);
}

export async function listCustomerOrders(db: Queryable, customerId: string): Promise<Order[]> {
  const { customer, orders: rows } = await getCustomerWithOrders(db, customerId);
  return rows.map((order) => ({ ...order, customer }));
}

export async function listOrdersPage(
  db: Queryable,
  page: { offset: number; limit: number },
): Promise<{ total: number; orders: Order[] }> {
  const [[totals], rows] = await Promise.all([
    db.select({ total: count() }).from(orders).prepare('count_orders').execute(),
    selectOrders(db)
      .orderBy(asc(orders.createdAt), asc(orders.id))
      // Placeholders keep the statement's text the same for every page (drizzle
      // leaves out `offset 0`), as a named prepared statement requires.
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare('orders_page')
      .execute(page),
  ]);
  return { total: totals?.total ?? 0, orders: rows.map(toOrder) };
}

export async function deleteOrder(db: Queryable, id: string): Promise<OrderRow> {
  const [deleted] = await db.delete(orders).where(eq(orders.id, id)).returning();
  if (deleted === undefined) throw orderNotFound();
  return deleted;
}

function selectOrders(db: Queryable) {
  return db
    .select({ order: orders, customer: customers })
    .from(orders)
    .innerJoin(customers, eq(orders.customerId, customers.id))
    .$dynamic();
}

function toOrder(row: { order: OrderRow; customer: Customer }): Order {
  return { ...row.order, customer: row.customer };
}

export function orderNotFound(): AppError {
  return new AppError('order_not_found', 'No Order matches the given query.');
}
