// The home page's token button: GET /api/token/ with the session cookie, then show
// the token once with a copy button and a ready curl line.
const button = document.getElementById('get-token');
const result = document.getElementById('token-result');
const tokenField = document.getElementById('token');
const curl = document.getElementById('curl');
const copyStatus = document.getElementById('copy-status');
const errorBox = document.getElementById('token-error');

button.addEventListener('click', async () => {
  button.disabled = true;
  errorBox.hidden = true;
  try {
    const response = await fetch('/api/token/', { credentials: 'same-origin' });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const { token } = await response.json();
    tokenField.value = token;
    curl.textContent = `curl ${curl.dataset.baseUrl}/api/get-customers/ -H "Authorization: Token ${token}"`;
    result.hidden = false;
    tokenField.focus();
    tokenField.select();
  } catch (error) {
    errorBox.textContent = `Could not get a token: ${error.message}. Reload the page and try again.`;
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
});

document.getElementById('copy-token').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(tokenField.value);
    copyStatus.textContent = 'Copied.';
  } catch {
    tokenField.select();
    copyStatus.textContent = 'Press Ctrl+C (or ⌘C) to copy.';
  }
});
