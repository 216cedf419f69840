// The overview at / for signed-in staff: orders and their value per currency today
// and this week, the SMS of the last 24 hours, and a chart of orders per day over 30
// days. The chart is SVG drawn here, on the server: no script, and under the
// Content-Security-Policy no `style` either, so it is drawn with presentation
// attributes and app.css's classes. Its text alternative is its <title> and <desc>,
// and the same numbers as a table under it.
import { html } from 'ghtml';
import type { CurrencyTotal, DayCount, OrderStats, PeriodTotals } from '../orders/orders.stats.ts';
import { layout, type SignedInFrame } from './layout.ts';

const DAY_LABEL = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});
const WEEKDAY_LABEL = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  timeZone: 'UTC',
});
const TIME_LABEL = new Intl.DateTimeFormat('en-GB', { timeStyle: 'short', timeZone: 'UTC' });

const dayLabel = (day: string) => DAY_LABEL.format(new Date(`${day}T00:00:00Z`));
const weekdayLabel = (day: string) => WEEKDAY_LABEL.format(new Date(`${day}T00:00:00Z`));
const plural = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;

/** "KES 12,345.50" from PostgreSQL's "12345.50": grouped as text, never through a float. */
export function formatMoney(amount: string, currency: string): string {
  const [whole = '0', fraction] = amount.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${currency} ${grouped}.${(fraction ?? '').padEnd(2, '0').slice(0, 2)}`;
}

/** The orders list's address for a filter (its query parameters, /orders). */
function ordersUrl(filters: Record<string, string>): string {
  return `/orders?${new URLSearchParams(filters).toString()}`;
}

export function overviewPage(signedIn: SignedInFrame, stats: OrderStats): string {
  const today = stats.today.since;
  return layout(
    { title: 'Overview', signedIn },
    html`<div class="page-heading">
        <h1>Overview</h1>
        <div class="page-actions">
          <a class="button" href="/customers/new">Add customer</a>
          <a class="button secondary" href="/orders">All orders</a>
        </div>
      </div>
      <p class="lede">
        Signed in as <strong>${signedIn.email}</strong>. Figures as of
        ${TIME_LABEL.format(stats.now)} UTC; days are UTC days.
      </p>
      <div class="stat-grid">
        !${periodCard(
          'Today',
          weekdayLabel(today),
          stats.today,
          ordersUrl({ created_after: today, created_before: today }),
        )}
        !${periodCard(
          'This week',
          `Since ${weekdayLabel(stats.week.since)}`,
          stats.week,
          ordersUrl({ created_after: stats.week.since }),
        )}
        !${smsCard(stats)}
      </div>
      !${chartPanel(stats.perDay)}
      <ul class="shortcuts">
        <li>
          <a class="card-link" href="/customers"
            ><strong>Customers</strong><span>Find, add and edit customers</span></a
          >
        </li>
        <li>
          <a class="card-link" href="/orders"
            ><strong>Orders</strong><span>Orders and their SMS</span></a
          >
        </li>
        <li>
          <a class="card-link" href="/tokens"
            ><strong>API tokens</strong><span>Use the API from scripts</span></a
          >
        </li>
      </ul>`,
  );
}

function periodCard(title: string, when: string, totals: PeriodTotals, href: string): string {
  const id = `stat-${title.toLowerCase().replace(/\W+/g, '-')}`;
  const amounts =
    totals.byCurrency.length === 0
      ? html`<p class="stat-note">No orders yet.</p>`
      : html`<ul class="stat-amounts">
          !${totals.byCurrency.map(currencyLine)}
        </ul>`;
  return html`<section class="panel stat-card" aria-labelledby="${id}">
    <h2 id="${id}">${title} <span class="stat-when">${when}</span></h2>
    <p class="stat-figure"><a href="${href}">${plural(totals.orders, 'order')}</a></p>
    !${amounts}
  </section>`;
}

function currencyLine(total: CurrencyTotal): string {
  return html`<li>
    <span class="stat-money">${formatMoney(total.amount, total.currency)}</span>
    <span class="stat-note">${plural(total.orders, 'order')}</span>
  </li>`;
}

function smsCard(stats: OrderStats): string {
  const createdAfter = stats.smsSince.toISOString().slice(0, 10);
  const waiting = stats.sms.pending + stats.sms.sending;
  const line = (label: string, count: number, status: string, note?: string) =>
    html`<li class="sms-${status}">
      <a href="${ordersUrl({ created_after: createdAfter, sms_status: status })}"
        ><span class="sms-count">${count.toLocaleString('en-GB')}</span>
        <span class="sms-label">${label}</span></a
      >
      !${note === undefined ? '' : html`<span class="stat-note">${note}</span>`}
    </li>`;
  return html`<section class="panel stat-card" aria-labelledby="stat-sms">
    <h2 id="stat-sms">SMS <span class="stat-when">Last 24 hours</span></h2>
    <ul class="sms-lines">
      !${line('delivered', stats.sms.delivered, 'delivered')}
      !${line('sent', stats.sms.sent, 'sent', 'no delivery report yet')}
      !${line('failed', stats.sms.failed, 'failed', stats.sms.failed > 0 ? 'open to retry' : undefined)}
    </ul>
    <p class="stat-note">
      !${waiting === 0 ? 'None waiting to be sent.' : html`${plural(waiting, 'message')} waiting to be sent.`}
    </p>
  </section>`;
}

// The chart's drawing area, in SVG units; the picture scales to its box (app.css).
const CHART = { width: 960, height: 300, left: 64, right: 32, top: 16, bottom: 60 };

/** A round top for the y axis: 1, 2, 5, 10, 20, 50… at least `max`. */
function niceCeiling(max: number): number {
  if (max <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

function chartPanel(perDay: readonly DayCount[]): string {
  const first = perDay[0]?.day ?? '';
  const last = perDay.at(-1)?.day ?? '';
  const total = perDay.reduce((sum, day) => sum + day.orders, 0);
  const busiest = perDay.reduce<DayCount | undefined>(
    (best, day) => (best === undefined || day.orders > best.orders ? day : best),
    undefined,
  );
  const emptyDays = perDay.filter((day) => day.orders === 0).length;
  const description =
    total === 0
      ? `No orders from ${dayLabel(first)} to ${dayLabel(last)} (UTC days).`
      : `${plural(total, 'order')} from ${dayLabel(first)} to ${dayLabel(last)} (UTC days); the most on ${dayLabel(busiest?.day ?? first)}, ${plural(busiest?.orders ?? 0, 'order')}; ${plural(emptyDays, 'day')} without any.`;

  const top = niceCeiling(busiest?.orders ?? 0);
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const slot = plotWidth / Math.max(perDay.length, 1);
  const barWidth = Math.max(slot * 0.7, 1);
  const y = (value: number) => CHART.top + plotHeight - (value / top) * plotHeight;
  const round = (value: number) => Math.round(value * 10) / 10;

  const ticks = [0, top / 4, top / 2, (3 * top) / 4, top].filter((tick) => Number.isInteger(tick));
  const grid = ticks.map(
    (tick) =>
      html`<line
          class="chart-grid"
          x1="${CHART.left}"
          x2="${CHART.width - CHART.right}"
          y1="${round(y(tick))}"
          y2="${round(y(tick))}"
        />
        <text class="chart-tick" x="${CHART.left - 8}" y="${round(y(tick) + 5)}" text-anchor="end"
          >${tick}</text
        >`,
  );
  const bars = perDay.map((day, index) => {
    const x = CHART.left + index * slot + (slot - barWidth) / 2;
    const height = (day.orders / top) * plotHeight;
    return html`<rect
      class="chart-bar"
      x="${round(x)}"
      y="${round(y(day.orders))}"
      width="${round(barWidth)}"
      height="${round(height)}"
      rx="2"
      ><title>${dayLabel(day.day)}: ${plural(day.orders, 'order')}</title></rect
    >`;
  });
  // A date under every seventh bar, counted back from today so that today is labelled.
  const labels = perDay
    .map((day, index) => ({ day, index }))
    .filter(({ index }) => (perDay.length - 1 - index) % 7 === 0)
    .map(
      ({ day, index }) =>
        html`<text
          class="chart-tick"
          x="${round(CHART.left + index * slot + slot / 2)}"
          y="${CHART.height - CHART.bottom + 26}"
          text-anchor="middle"
          >${dayLabel(day.day)}</text
        >`,
    );

  const rows = perDay.map(
    (day) =>
      html`<tr>
        <th scope="row">${weekdayLabel(day.day)}</th>
        <td>
          !${
            day.orders === 0
              ? '0'
              : html`<a href="${ordersUrl({ created_after: day.day, created_before: day.day })}"
                  >${day.orders}</a
                >`
          }
        </td>
      </tr>`,
  );

  return html`<section class="panel chart-panel" aria-labelledby="chart-heading">
    <h2 id="chart-heading">Orders per day <span class="stat-when">Last 30 days, UTC</span></h2>
    !${
      total === 0
        ? html`<p class="stat-note">
            No orders in the last 30 days yet. Add a customer, then take their first order: it shows
            here the same day.
          </p>`
        : ''
    }
    <div class="chart-scroll" role="region" aria-label="Chart of orders per day" tabindex="0">
      <svg
        class="chart"
        viewBox="0 0 ${CHART.width} ${CHART.height}"
        role="img"
        aria-labelledby="chart-title chart-desc"
        xmlns="http://www.w3.org/2000/svg"
      >
        <title id="chart-title">Orders per day, last 30 days (UTC)</title>
        <desc id="chart-desc">${description}</desc>
        !${grid} !${bars}
        <line
          class="chart-axis"
          x1="${CHART.left}"
          x2="${CHART.width - CHART.right}"
          y1="${CHART.top + plotHeight}"
          y2="${CHART.top + plotHeight}"
        />
        !${labels}
        <text
          class="chart-axis-label"
          x="${CHART.left + plotWidth / 2}"
          y="${CHART.height - 6}"
          text-anchor="middle"
        >
          Day (UTC)
        </text>
        <text
          class="chart-axis-label"
          x="18"
          y="${CHART.top + plotHeight / 2}"
          text-anchor="middle"
          transform="rotate(-90 18 ${CHART.top + plotHeight / 2})"
        >
          Orders
        </text>
      </svg>
    </div>
    <p class="stat-note chart-scroll-hint">Earlier days are to the left: swipe the chart.</p>
    <details class="chart-data">
      <summary>The numbers, day by day</summary>
      <table class="compact-table">
        <caption class="visually-hidden">
          Orders per day, last 30 days (UTC)
        </caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Orders</th>
          </tr>
        </thead>
        <tbody>
          !${rows.reverse()}
        </tbody>
      </table>
    </details>
  </section>`;
}
