import { randomUUID } from 'node:crypto';
import {
  customerNotFound,
  getCustomer,
  getCustomerWithOrders,
  type Customer,
} from '../customers/customers.service.ts';
import { isForeignKeyViolation } from '../db/errors.ts';
import type { OrderRow } from '../db/schema.ts';
import { readOffsetPage, type OffsetPage } from '../db/offset-pages.ts';
import type { StatementRunner } from '../db/statement-pool.ts';
import { AppError } from '../core/errors.ts';
import {
  checkFields,
  checkUuid,
  cleanText,
  FieldRuleError,
  parseAmount,
  parseInstant,
} from '../core/fields.ts';
import { decodeCursor, encodeCursor, readKeysetPage, type CursorPage } from '../db/keyset.ts';
import { SMS_STATUSES, type SmsStatus } from '../db/schema.ts';
import { orderSmsText } from '../sms/message.ts';
import type { WakeSmsWorkers } from '../sms/wake-up.ts';
import type { OrderChanges, OrderDraft, OrderFilters, OrderOrdering } from './orders.schemas.ts';
import {
  ORDER_ORDERINGS_SQL,
  ordersCountQuery,
  ordersListQuery,
  orderWithSmsById,
  orderWithSmsByIdForUpdate,
  deleteOrderById,
  type OrderSearch,
  type OrderWithSmsRow,
  insertOrderWithSms,
  orderById,
  ordersPage,
  updateOrderById,
  type OrderWithCustomerRow,
  customerOrderTotalsById,
} from './orders.queries.ts';

export type Order = OrderRow & { customer: Customer };

export interface OrderSettings {
  /** Currency of new orders (DEFAULT_CURRENCY). */
  currency: string;
  /** SMS_TEMPLATE, when set. */
  smsTemplate: string | undefined;
  /** Called once the order (and its SMS) committed: after the outermost transaction. */
  wakeSmsWorkers?: WakeSmsWorkers | undefined;
}

const ORDER_RULES = { customer_id: checkUuid, item: cleanText, amount: parseAmount };

/**
 * The one way an order is created, whatever the route: the order and its SMS are
 * written by one statement, so what must happen with a new order (its SMS) commits
 * or rolls back with it.
 */
export async function createOrder(
  db: StatementRunner,
  input: OrderDraft,
  settings: OrderSettings,
): Promise<Order> {
  const { customer_id: customerId, item, amount } = checkFields(input, ORDER_RULES, 'all');
  const customer = await getCustomer(db, customerId);
  // Chosen here, as the text of the SMS names the order.
  const id = randomUUID();
  const smsText = orderSmsText(
    { orderId: id, customerName: customer.name, item, amount, currency: settings.currency },
    settings.smsTemplate,
  );
  try {
    const [order] = await insertOrderWithSms.rows(
      db,
      id,
      customerId,
      item,
      amount,
      settings.currency,
      customer.phoneNumber,
      smsText,
    );
    if (order === undefined) throw new Error('insert returned no row');
    const wake = settings.wakeSmsWorkers;
    if (wake !== undefined) db.afterCommit(wake);
    return { ...order, customer };
  } catch (error) {
    // The customer was deleted between our read and the insert.
    if (isForeignKeyViolation(error)) throw customerNotFound();
    throw error;
  }
}

/** Partial update of item and amount; other fields are ignored, as the original did. */
export async function updateOrder(
  db: StatementRunner,
  id: string,
  input: OrderChanges,
): Promise<Order> {
  // Only item and amount may change; customer_id and unknown fields are ignored.
  const { item, amount } = checkFields(input, { item: cleanText, amount: parseAmount }, 'present');
  // One statement: the answer is the order as this update left it, even if it is
  // deleted a moment later.
  const [row] = await updateOrderById.rows(db, id, item ?? null, amount ?? null);
  if (row === undefined) throw orderNotFound();
  return toOrder(row);
}

export async function getOrder(db: StatementRunner, id: string): Promise<Order> {
  const [row] = await orderById.rows(db, id);
  if (row === undefined) throw orderNotFound();
  return toOrder(row);
}

export async function listCustomerOrders(
  db: StatementRunner,
  customerId: string,
): Promise<Order[]> {
  const { customer, orders: rows } = await getCustomerWithOrders(db, customerId);
  return rows.map((order) => ({ ...order, customer }));
}

/** One page in the original order (oldest first), with the total for page links. */
export async function listOrdersPage(
  db: StatementRunner,
  page: number | 'last',
): Promise<OffsetPage<Order>> {
  const found = await readOffsetPage(ordersPage, db, page);
  return { ...found, rows: found.rows.map(toOrder) };
}

export async function deleteOrder(db: StatementRunner, id: string): Promise<void> {
  const [deleted] = await deleteOrderById.rows(db, id);
  if (deleted === undefined) throw orderNotFound();
}

function toOrder(row: OrderWithCustomerRow): Order {
  const { customerName, customerPhoneNumber, customerCreatedAt, customerUpdatedAt, ...order } = row;
  return {
    ...order,
    customer: {
      id: row.customerId,
      name: customerName,
      phoneNumber: customerPhoneNumber,
      createdAt: customerCreatedAt,
      updatedAt: customerUpdatedAt,
    },
  };
}

/** The state of an order's SMS; none for an order that has no SMS (an imported one). */
export interface OrderSms {
  status: SmsStatus;
  attempts: number;
  lastError: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
}

export type OrderWithSms = Order & { sms: OrderSms | null };

function toOrderWithSms(row: OrderWithSmsRow): OrderWithSms {
  const { smsStatus, smsAttempts, smsLastError, smsSentAt, smsDeliveredAt, ...order } = row;
  return {
    ...toOrder(order),
    sms:
      smsStatus === null
        ? null
        : {
            status: smsStatus,
            attempts: smsAttempts ?? 0,
            lastError: smsLastError,
            sentAt: smsSentAt,
            deliveredAt: smsDeliveredAt,
          },
  };
}

/** The same, locked until the transaction ends: for a change that checks it first. */
export async function lockOrderWithSms(db: StatementRunner, id: string): Promise<OrderWithSms> {
  const [row] = await orderWithSmsByIdForUpdate.rows(db, id);
  if (row === undefined) throw orderNotFound();
  return toOrderWithSms(row);
}

/** One order, with its customer and its SMS's state. */
export async function getOrderWithSms(db: StatementRunner, id: string): Promise<OrderWithSms> {
  const [row] = await orderWithSmsById.rows(db, id);
  if (row === undefined) throw orderNotFound();
  return toOrderWithSms(row);
}

export interface OrderListOptions extends OrderFilters {
  ordering: OrderOrdering;
  limit: number;
  cursor?: string | undefined;
}

function parseSmsStatus(value: string): SmsStatus {
  if (!(SMS_STATUSES as readonly string[]).includes(value)) {
    throw new FieldRuleError(`One of ${SMS_STATUSES.join(', ')}.`);
  }
  return value as SmsStatus;
}

const SEARCH_RULES = {
  customer_id: checkUuid,
  created_after: parseInstant,
  created_before: parseInstant,
  // A range may start (or, to find nothing, end) at 0, which no order's amount is.
  min_amount: (value: string) => parseAmount(value, { allowZero: true }),
  max_amount: (value: string) => parseAmount(value, { allowZero: true }),
  q: (value: string) => value.trim(),
  sms_status: parseSmsStatus,
};

function orderSearch(filters: OrderFilters): OrderSearch {
  const found = checkFields(filters, SEARCH_RULES, 'present');
  return {
    customerId: found.customer_id,
    createdAfter: found.created_after,
    createdBefore: found.created_before,
    minAmount: found.min_amount,
    maxAmount: found.max_amount,
    itemContains: found.q === '' ? undefined : found.q,
    smsStatus: found.sms_status,
  };
}

/** Orders, a page at a time by cursor, filtered and ordered as asked. */
export async function listOrders(
  db: StatementRunner,
  options: OrderListOptions,
): Promise<CursorPage<OrderWithSms>> {
  const ordering = ORDER_ORDERINGS_SQL[options.ordering];
  if (ordering === undefined) throw new Error(`no ordering ${options.ordering}`);
  const position =
    options.cursor === undefined ? undefined : decodeCursor(options.cursor, ordering);
  const query = ordersListQuery(orderSearch(options), { ordering, limit: options.limit, position });
  const page = await readKeysetPage<OrderWithSmsRow>(db, query);
  return {
    rows: page.rows.map(toOrderWithSms),
    next: page.next && encodeCursor(page.next, ordering),
    previous: page.previous && encodeCursor(page.previous, ordering),
  };
}

/** How many orders the filters find, exactly. */
export async function countOrders(db: StatementRunner, filters: OrderFilters): Promise<number> {
  const { text, values, options } = ordersCountQuery(orderSearch(filters));
  const [row] = await db.run<{ total: string }>(text, values, options);
  return Number(row?.total ?? 0);
}

export function orderNotFound(): AppError {
  return new AppError('order_not_found', 'There is no order with this id.');
}

/** What a customer has ordered: how many orders, and their sum in each currency (a decimal string). */
export interface CustomerOrderTotals {
  orders: number;
  byCurrency: { currency: string; orders: number; amount: string }[];
}

export async function customerOrderTotals(
  db: StatementRunner,
  customerId: string,
): Promise<CustomerOrderTotals> {
  const byCurrency = await customerOrderTotalsById.rows(db, customerId);
  return { orders: byCurrency.reduce((sum, row) => sum + row.orders, 0), byCurrency };
}
