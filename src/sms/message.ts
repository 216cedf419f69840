// The text of the SMS a customer gets for a new order.

export interface OrderSmsFacts {
  orderId: string;
  customerName: string;
  item: string;
  /** Decimal text with two places, as stored ("500.00"). */
  amount: string;
  currency: string;
}

const SMS_PAGE_LENGTH = 160;

/** A short, readable order reference: the first 8 characters of its id, upper case. */
export function orderReference(orderId: string): string {
  return `#${orderId.slice(0, 8).toUpperCase()}`;
}

/**
 * The default text names the item, the amount and the currency, and a short order
 * reference; long names and items are shortened so it fits one 160-character page.
 * SMS_TEMPLATE replaces it ({name} {item} {amount} {currency} {order_id}).
 */
export function orderSmsText(facts: OrderSmsFacts, template?: string): string {
  if (template !== undefined) {
    const values: Record<string, string> = {
      name: facts.customerName,
      item: facts.item,
      amount: facts.amount,
      currency: facts.currency,
      order_id: facts.orderId,
    };
    return template.replace(
      /\{(name|item|amount|currency|order_id)\}/g,
      (_match, key: string) => values[key] ?? '',
    );
  }
  const render = (name: string, item: string) =>
    `Hi ${name}, we received your order ${orderReference(facts.orderId)}: ${item}, ${facts.currency} ${facts.amount}. Thank you!`;
  let name = firstWord(facts.customerName);
  let item = facts.item;
  // Shorten the item first, then the name, but never below a few characters.
  while ([...render(name, item)].length > SMS_PAGE_LENGTH && [...item].length > 12)
    item = shorten(item);
  while ([...render(name, item)].length > SMS_PAGE_LENGTH && [...name].length > 8)
    name = shorten(name);
  return render(name, item);
}

function firstWord(name: string): string {
  return name.split(/\s+/)[0] ?? name;
}

/** One character shorter, ending in "..." (the ellipsis character is not GSM-7 and
 * would turn the whole message into 70-character UCS-2 pages). */
function shorten(text: string): string {
  const characters = [...text.replace(/\.\.\.$/, '')];
  return `${characters.slice(0, -1).join('').trimEnd()}...`;
}
