// The overview's figures (web/overview.views.ts): orders and their value per currency
// today and this week, orders per day over 30 days, and the SMS of the last 24 hours
// by status. Days are UTC days, whatever the database session's time zone.
//
// Each is one statement on the statement pool, and the three run at once (on
// separate connections). The ranges are on orders.created_at
// (orders_created_at_id_idx) and on sms_messages (status, created_at)
// (sms_messages_status_idx). Money is summed by PostgreSQL and read as text: never
// a JavaScript float. Measured in docs/dashboard.md ("The overview's cost").
import type { SmsStatus } from '../db/schema.ts';
import { statement } from '../db/statement.ts';
import type { StatementRunner } from '../db/statement-pool.ts';

export const CHART_DAYS = 30;
const DAY_MS = 86_400_000;

/** Orders and their value in one currency, over a period. */
export interface CurrencyTotal {
  currency: string;
  orders: number;
  /** The sum as PostgreSQL's decimal text, "12345.50". */
  amount: string;
}

export interface PeriodTotals {
  /** The first UTC day of the period, "2026-11-30". */
  since: string;
  orders: number;
  byCurrency: CurrencyTotal[];
}

export interface DayCount {
  /** The UTC day, "2026-12-03". */
  day: string;
  orders: number;
}

export interface OrderStats {
  now: Date;
  today: PeriodTotals;
  /** Since Monday (ISO weeks), UTC. */
  week: PeriodTotals;
  /** CHART_DAYS days ending today, oldest first, every day present (0 when none). */
  perDay: DayCount[];
  /** SMS of the last 24 hours, by their status now; every status present. */
  sms: Record<SmsStatus, number>;
  smsSince: Date;
}

interface CurrencyPeriodRow {
  currency: string;
  todayOrders: number;
  todayAmount: string;
  weekOrders: number;
  weekAmount: string;
}

// One pass over the week's orders gives both periods (today is inside the week).
const ordersByCurrency = statement<CurrencyPeriodRow, [weekStart: Date, todayStart: Date]>(
  `select currency,
     count(*) filter (where created_at >= $2)::int as "todayOrders",
     coalesce(sum(amount) filter (where created_at >= $2), 0)::text as "todayAmount",
     count(*)::int as "weekOrders",
     sum(amount)::text as "weekAmount"
   from orders
   where created_at >= $1
   group by currency
   order by currency`,
);

// The days come from generate_series, so a day without orders is a row with 0. Only
// created_at is read: an index-only scan of orders_created_at_id_idx.
const ordersPerDay = statement<DayCount, [firstDay: string, days: number]>(
  `with counts as (
     select (created_at at time zone 'UTC')::date as day, count(*)::int as orders
     from orders
     where created_at >= ($1::date)::timestamp at time zone 'UTC'
     group by 1
   )
   select to_char(days.day, 'YYYY-MM-DD') as day, coalesce(counts.orders, 0) as orders
   from (select $1::date + n as day from generate_series(0, $2::int - 1) as n) as days
   left join counts using (day)
   order by days.day`,
);

const smsByStatus = statement<{ status: SmsStatus; messages: number }, [since: Date]>(
  `select status, count(*)::int as messages
   from sms_messages
   where status in ('pending', 'sending', 'sent', 'delivered', 'failed') and created_at >= $1
   group by status`,
);

/** "2026-12-03": the UTC day of an instant. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

function startOfUtcDay(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
}

export async function getOrderStats(db: StatementRunner, now = new Date()): Promise<OrderStats> {
  const todayStart = startOfUtcDay(now);
  const daysSinceMonday = (todayStart.getUTCDay() + 6) % 7;
  const weekStart = new Date(todayStart.getTime() - daysSinceMonday * DAY_MS);
  const firstChartDay = new Date(todayStart.getTime() - (CHART_DAYS - 1) * DAY_MS);
  const smsSince = new Date(now.getTime() - DAY_MS);

  const [currencies, perDay, sms] = await Promise.all([
    ordersByCurrency.rows(db, weekStart, todayStart),
    ordersPerDay.rows(db, utcDay(firstChartDay), CHART_DAYS),
    smsByStatus.rows(db, smsSince),
  ]);

  const period = (since: Date, pick: (row: CurrencyPeriodRow) => CurrencyTotal): PeriodTotals => {
    const byCurrency = currencies.map(pick).filter((total) => total.orders > 0);
    return {
      since: utcDay(since),
      orders: byCurrency.reduce((sum, total) => sum + total.orders, 0),
      byCurrency,
    };
  };
  const smsCounts: Record<SmsStatus, number> = {
    pending: 0,
    sending: 0,
    sent: 0,
    delivered: 0,
    failed: 0,
  };
  for (const row of sms) smsCounts[row.status] = row.messages;

  return {
    now,
    today: period(todayStart, (row) => ({
      currency: row.currency,
      orders: row.todayOrders,
      amount: row.todayAmount,
    })),
    week: period(weekStart, (row) => ({
      currency: row.currency,
      orders: row.weekOrders,
      amount: row.weekAmount,
    })),
    perDay,
    sms: smsCounts,
    smsSince,
  };
}
