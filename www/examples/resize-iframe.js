// The iframe snippet's resizer (README, "Embed it in your post"): believe only the playground's
// origin and this very iframe.
addEventListener('message', (e) => {
  const frame = document.getElementById('io-demo');
  if (e.source !== frame.contentWindow || e.origin !== new URL(frame.src, location.href).origin) return;
  const h = e.data && e.data.type === 'concurrency-playground:resize' ? Number(e.data.height) : NaN;
  if (Number.isFinite(h) && h > 0 && h <= 5000) frame.style.height = Math.ceil(h) + 'px';
});
