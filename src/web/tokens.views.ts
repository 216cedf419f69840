// The API tokens' template: the list (never a secret in it), the secret of a token
// just made (this once, with a copy button and a curl line), and the form.
import { html } from 'ghtml';
import type { NewToken } from '../auth/tokens.ts';
import type { FieldErrors } from '../core/errors.ts';
import type { ApiTokenRow } from '../db/schema.ts';
import { formatDateTime } from './format.ts';
import { csrfField, errorSummary, fieldId, textField } from './forms.ts';
import { layout, type SignedInFrame } from './layout.ts';
import { dataTable } from './tables.ts';

/** The form's expiry choices, and the lifetime each asks the service for. */
export const EXPIRY_CHOICES: readonly { value: string; label: string; lifetime?: string }[] = [
  { value: 'never', label: 'Never' },
  { value: '30d', label: 'In 30 days', lifetime: '30d' },
  { value: '90d', label: 'In 90 days', lifetime: '90d' },
  { value: 'date', label: 'On a date' },
];

/** What the form holds, as typed: kept when it comes back with errors. */
export interface TokenFormValues {
  name?: string | undefined;
  scope?: string | undefined;
  expiry?: string | undefined;
  expires_at?: string | undefined;
}

export interface TokensView {
  tokens: readonly ApiTokenRow[];
  publicUrl: URL;
  /** A token made by this very request: its secret is shown, once. */
  created?: NewToken;
  /** The form as it came back with errors. */
  form?: { values: TokenFormValues; errors: FieldErrors };
}

const TOKEN_FIELD_LABELS = {
  name: 'Name',
  scope: 'Scope',
  expiry: 'Expires',
  expires_at: 'Expiry date',
  expires_in: 'Expires',
};

export function tokensPage(signedIn: SignedInFrame, view: TokensView, now = new Date()): string {
  const title = view.form === undefined ? 'API tokens' : 'Error: API tokens';
  return layout(
    { title, signedIn },
    html`<h1>API tokens</h1>
      <p class="lede">
        A token lets a script or another program use the API as you: send it as
        <code>Authorization: Token …</code>. Only its name is kept here, never its secret.
      </p>
      !${view.created === undefined ? '' : newTokenPanel(view.created, view.publicUrl)}
      <section class="tokens-list" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        !${
          view.tokens.length === 0
            ? emptyTokenList()
            : tokenTable(signedIn, view.tokens, view.created?.token.id, now)
        }
      </section>
      !${tokenForm(signedIn, view.form)}
      <script src="/static/tokens.js" defer></script>`,
  );
}

function newTokenPanel({ token, key }: NewToken, publicUrl: URL): string {
  const curl = `curl ${publicUrl.origin}/api/v1/me -H "Authorization: Token ${key}"`;
  return html`<section class="panel new-token" aria-labelledby="new-token-heading">
    <h2 id="new-token-heading">Your new token “${token.name}”</h2>
    <p>
      Copy it now and keep it somewhere safe, such as a password manager. It is shown only on this
      page: once you leave it, no one can see it again (make a new one if it is lost).
    </p>
    <label for="new-token-key">Secret</label>
    <div class="row">
      <input id="new-token-key" value="${key}" readonly spellcheck="false" autocomplete="off" />
      <button type="button" class="copy-button" data-copy="new-token-key" hidden>Copy</button>
    </div>
    <p class="copy-status" id="new-token-key-status" role="status" aria-live="polite"></p>
    <p class="hint" id="curl-hint">Try it: this asks the API who you are.</p>
    <pre aria-describedby="curl-hint"><code id="new-token-curl">${curl}</code></pre>
  </section>`;
}

function emptyTokenList(): string {
  return html`<div class="empty-state" role="status">
    <h3>No tokens yet: make one to use the API from scripts</h3>
    <p>Give it a name you will recognise (where it is used), a scope and an expiry, below.</p>
  </div>`;
}

type TokenStatus = 'active' | 'expired' | 'revoked';

function statusOf(token: ApiTokenRow, now: Date): TokenStatus {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt <= now) return 'expired';
  return 'active';
}

function tokenTable(
  signedIn: SignedInFrame,
  tokens: readonly ApiTokenRow[],
  createdId: string | undefined,
  now: Date,
): string {
  const time = (value: Date | null, none: string) =>
    value === null
      ? html`<span class="muted">${none}</span>`
      : html`<time datetime="${value.toISOString()}">${formatDateTime(value)}</time>`;
  const rows = tokens.map((token) => {
    const status = statusOf(token, now);
    return html`<tr !${token.id === createdId ? ' class="just-made"' : ''}>
      <th scope="row" data-label="Name">${token.name}</th>
      <td data-label="Scope">${token.scope === 'read' ? 'Read' : 'Read and write'}</td>
      <td data-label="Created">!${time(token.createdAt, '')}</td>
      <td data-label="Last used">!${time(token.lastUsedAt, 'Never')}</td>
      <td data-label="Expires">!${time(token.expiresAt, 'Never')}</td>
      <td data-label="Status"><span class="badge badge-${status}">${status}</span></td>
      <td data-label="">
        !${
          status === 'revoked'
            ? ''
            : html`<form method="post" action="/tokens/${token.id}/revoke" data-busy-on-submit>
                !${csrfField(signedIn.csrfToken)}
                <button type="submit" class="secondary small danger">
                  Revoke<span class="visually-hidden"> token “${token.name}”</span>
                </button>
              </form>`
        }
      </td>
    </tr>`;
  });
  const columns = ['Name', 'Scope', 'Created', 'Last used', 'Expires', 'Status'];
  return html`!${dataTable([...columns, { hidden: 'Actions' }], rows, 'tokens-table')}
    <p class="hint">Times in UTC. Revoking takes effect at once and cannot be undone.</p>`;
}

function tokenForm(
  signedIn: SignedInFrame,
  form: { values: TokenFormValues; errors: FieldErrors } | undefined,
): string {
  const values = form?.values ?? {};
  const errors = form?.errors;
  const scope = values.scope === 'write' ? 'write' : 'read';
  const expiry = values.expiry ?? 'never';
  const expiryMessages = [...(errors?.expiry ?? []), ...(errors?.expires_in ?? [])];
  const dateMessages = errors?.expires_at ?? [];
  const radios = EXPIRY_CHOICES.map(
    (choice) =>
      html`<div class="choice">
        <input
          type="radio"
          id="${fieldId(`expiry-${choice.value}`)}"
          name="expiry"
          value="${choice.value}"
          !${choice.value === expiry ? ' checked' : ''}
        />
        <label for="${fieldId(`expiry-${choice.value}`)}">${choice.label}</label>
      </div>`,
  );
  return html`<section class="panel" aria-labelledby="new-token-form-heading">
    <h2 id="new-token-form-heading">Make a token</h2>
    <form class="form" method="post" action="/tokens" novalidate data-busy-on-submit>
      !${errorSummary(errors, TOKEN_FIELD_LABELS)} !${csrfField(signedIn.csrfToken)}
      !${textField({
        name: 'name',
        label: TOKEN_FIELD_LABELS.name,
        hint: 'Where it is used, to recognise it later: “stock sync on the office laptop”.',
        value: values.name,
        errors,
        autocomplete: 'off',
        maxLength: 100,
      })}
      <div class="field!${errors?.scope === undefined ? '' : ' has-error'}">
        <label for="${fieldId('scope')}">${TOKEN_FIELD_LABELS.scope}</label>
        <p class="hint" id="${fieldId('scope')}-hint">
          Read only is enough for reports; scripts that add orders need read and write.
        </p>
        !${
          errors?.scope === undefined
            ? ''
            : html`<p class="field-error" id="${fieldId('scope')}-error">
                ${errors.scope.join(' ')}
              </p>`
        }
        <select id="${fieldId('scope')}" name="scope" aria-describedby="${fieldId('scope')}-hint">
          <option value="read" !${scope === 'read' ? ' selected' : ''}>
            Read only (GET requests)
          </option>
          <option value="write" !${scope === 'write' ? ' selected' : ''}>Read and write</option>
        </select>
      </div>
      <fieldset
        class="field choices!${
          expiryMessages.length + dateMessages.length === 0 ? '' : ' has-error'
        }"
        id="${fieldId('expiry')}"
      >
        <legend>${TOKEN_FIELD_LABELS.expiry}</legend>
        !${
          expiryMessages.length === 0
            ? ''
            : html`<p class="field-error">${expiryMessages.join(' ')}</p>`
        }
        !${radios}
        <div class="choice-detail">
          !${textField({
            name: 'expires_at',
            label: TOKEN_FIELD_LABELS.expires_at,
            hint: 'With “On a date”: the token stops working at 00:00 UTC that day.',
            value: values.expires_at,
            errors: dateMessages.length === 0 ? undefined : { expires_at: dateMessages },
            type: 'date',
          })}
        </div>
      </fieldset>
      <div class="actions">
        <button type="submit">Make token</button>
      </div>
    </form>
  </section>`;
}
