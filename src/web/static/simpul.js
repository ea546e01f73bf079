// Pages work without this file; it only spares clicks. Forms with data-confirm ask first.
document.addEventListener('submit', (e) => {
  const form = e.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) e.preventDefault();
});
