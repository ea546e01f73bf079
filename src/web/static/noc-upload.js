// Optional: shows the progress of a list upload. Without it the form posts as usual.
document.addEventListener('submit', (e) => {
  const form = e.target;
  if (e.defaultPrevented || !(form instanceof HTMLFormElement) || !('uploadProgress' in form.dataset)) return;
  const bar = form.querySelector('progress');
  if (!bar || !window.XMLHttpRequest) return;
  e.preventDefault();
  const xhr = new XMLHttpRequest();
  xhr.open('POST', form.action);
  xhr.responseType = 'document';
  bar.hidden = false;
  xhr.upload.addEventListener('progress', (p) => {
    if (p.lengthComputable) bar.value = Math.round((p.loaded / p.total) * 100);
  });
  // The answer is a whole page (the report, or the form with its errors): show it as it is.
  xhr.addEventListener('load', () => {
    if (xhr.response && xhr.response.documentElement) document.replaceChild(document.adoptNode(xhr.response.documentElement), document.documentElement);
    else form.submit();
  });
  // A failed transfer leaves the form as it was, to try again.
  xhr.addEventListener('error', () => {
    bar.hidden = true;
    form.querySelectorAll('button[type=submit]').forEach((b) => (b.disabled = false));
  });
  form.querySelectorAll('button[type=submit]').forEach((b) => (b.disabled = true));
  xhr.send(new FormData(form));
});
