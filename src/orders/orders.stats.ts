// The overview's figures (web/overview.views.ts): orders and their value per currency
// today and this week, orders per day over 30 days, and the SMS of the last 24 hours
// by status. Days are UTC days, whatever the database session's time zone.
//
// Two statements on the statement pool, run at once (on separate connections): the
// orders' figures, a range of orders.created_at (orders_created_at_id_idx), and the
// SMS', a range of sms_messages (status, created_at) (sms_messages_status_idx). Money is summed by PostgreSQL and read as text: never
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

interface StatsRow {
  kind: 'day' | 'week' | 'today';
  /** The day ("2026-12-03") for `day` rows; the currency for the others. */
  key: string;
  orders: number;
  /** Decimal text; null on `day` rows. */
  amount: string | null;
}

// One scan of the 30 days' orders (orders_created_at_id_idx's range), grouped by UTC
// day and currency into at most 30 × currencies rows; the chart, the week and today
// are then added up from those few. The days come from generate_series, so a day
// without orders is a row with 0. Two statements (one per period) read the week's
// rows twice and took 40 ms at p50 with 100,000 orders in a week (docs/dashboard.md).
const orderFigures = statement<
  StatsRow,
  [firstDay: string, days: number, weekStart: string, today: string]
>(
  `with daily as materialized (
     select (created_at at time zone 'UTC')::date as day, currency,
            count(*)::int as orders, sum(amount) as amount
     from orders
     where created_at >= ($1::date)::timestamp at time zone 'UTC'
     group by 1, 2
   )
   select 'day' as kind, to_char(days.day, 'YYYY-MM-DD') as key,
          coalesce(sum(daily.orders), 0)::int as orders, null::text as amount
   from (select $1::date + n as day from generate_series(0, $2::int - 1) as n) as days
   left join daily using (day)
   group by days.day
   union all
   select 'week', currency, sum(orders)::int, sum(amount)::text
   from daily where day >= $3::date group by currency
   union all
   select 'today', currency, sum(orders)::int, sum(amount)::text
   from daily where day >= $4::date group by currency
   order by 1, 2`,
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

  const [figures, sms] = await Promise.all([
    orderFigures.rows(db, utcDay(firstChartDay), CHART_DAYS, utcDay(weekStart), utcDay(todayStart)),
    smsByStatus.rows(db, smsSince),
  ]);

  const period = (since: Date, kind: 'week' | 'today'): PeriodTotals => {
    const byCurrency = figures
      .filter((row) => row.kind === kind)
      .map((row) => ({ currency: row.key, orders: row.orders, amount: row.amount ?? '0' }));
    return {
      since: utcDay(since),
      orders: byCurrency.reduce((sum, total) => sum + total.orders, 0),
      byCurrency,
    };
  };
  const perDay = figures
    .filter((row) => row.kind === 'day')
    .map((row) => ({ day: row.key, orders: row.orders }));
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
    today: period(todayStart, 'today'),
    week: period(weekStart, 'week'),
    perDay,
    sms: smsCounts,
    smsSince,
  };
}
