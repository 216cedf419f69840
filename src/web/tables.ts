// The lists' tables: a header row and rows another template rendered. On a phone
// each row becomes a card whose cells show their column's name (app.css reads each
// cell's data-label).
import { html } from 'ghtml';

/** A column's heading; `hidden` ones are read out by screen readers only (a row's buttons). */
export type Column = string | { hidden: string };

export function dataTable(
  columns: readonly Column[],
  rows: readonly string[],
  className?: string,
): string {
  const headings = columns.map((column) =>
    typeof column === 'string'
      ? html`<th scope="col">${column}</th>`
      : html`<th scope="col"><span class="visually-hidden">${column.hidden}</span></th>`,
  );
  return html`<table class="${className === undefined ? 'data-table' : `data-table ${className}`}">
    <thead>
      <tr>
        !${headings}
      </tr>
    </thead>
    <tbody>
      !${rows}
    </tbody>
  </table>`;
}
