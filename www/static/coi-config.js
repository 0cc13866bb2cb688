// Settings for coi-serviceworker (https://github.com/gzuidhof/coi-serviceworker), included only
// in builds made with `--coi-serviceworker`, for hosts that cannot send COOP/COEP headers (GitHub
// Pages). It registers a service worker that adds the headers, then reloads once. Our guard: at
// most one reload per tab, so a browser that still cannot isolate never loops.
window.coi = {
  quiet: true,
  doReload: () => {
    if (sessionStorage.getItem('coi-reloaded') === '1') return;
    sessionStorage.setItem('coi-reloaded', '1');
    window.location.reload();
  },
};
