// Every dashboard page's one script of our own (htmx is the other). A form marked
// `data-busy-on-submit` shows that it is working: its submit buttons are disabled
// (a second click would send it twice) and marked busy while the next page loads.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || !form.matches('form[data-busy-on-submit]')) return;
  form.classList.add('is-submitting');
  for (const button of form.querySelectorAll('button[type="submit"], button:not([type])')) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
  }
});

// A page that the back button brings back from the browser's cache would keep its
// buttons disabled.
window.addEventListener('pageshow', (event) => {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll('form.is-submitting')) {
    form.classList.remove('is-submitting');
    for (const button of form.querySelectorAll('button[aria-busy]')) {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }
});

// A form that came back with errors: its summary takes the focus, so a keyboard or
// screen-reader user starts at the list of what to fix (each a link to its field).
document.querySelector('.error-summary')?.focus();
