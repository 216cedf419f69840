// The tokens page's copy button: shown only where it can work (with JavaScript), it
// copies the secret with the Clipboard API and says so in a status line that screen
// readers announce. Where the clipboard is refused, the secret is selected instead,
// for Ctrl+C.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(`${button.dataset.copy}-status`);
  if (field === null || status === null) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = 'Copied to the clipboard.';
      button.textContent = 'Copied';
    } catch {
      field.focus();
      field.select();
      status.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
    }
  });
}
