// <concurrency-playground preset="cpu"></concurrency-playground>: one script tag gives a blog
// post the playground's embed, sized to its content. The iframe reports its height with
//   { type: 'concurrency-playground:resize', height: <px> }
// and only messages from this script's origin and from that very iframe are believed.
(() => {
  const base = new URL('.', document.currentScript.src);
  const MAX_HEIGHT = 5000;

  class ConcurrencyPlayground extends HTMLElement {
    connectedCallback() {
      // The frame is made once; the listening is on every connection, since a move (which
      // reloads the frame) disconnects the element first and that stops it.
      if (!this.shadowRoot) this.attachShadow({ mode: 'open' }).append(this.frame());
      window.addEventListener('message', this.listener);
    }

    disconnectedCallback() {
      window.removeEventListener('message', this.listener);
    }

    /** The iframe, and the listener that believes only its resize messages. */
    frame() {
      const params = new URLSearchParams();
      params.set('preset', this.getAttribute('preset') || 'cpu');
      const iframe = document.createElement('iframe');
      iframe.src = new URL(`embed.html?${params}`, base).href;
      iframe.title = 'concurrency-playground: processes vs threads vs async, measured';
      iframe.loading = 'lazy';
      iframe.allow = 'cross-origin-isolated';
      iframe.style.cssText = 'display:block;width:100%;max-width:760px;height:460px;border:0;';
      this.listener = (event) => {
        if (event.origin !== base.origin || event.source !== iframe.contentWindow) return;
        const data = event.data;
        if (!data || data.type !== 'concurrency-playground:resize') return;
        const h = Number(data.height);
        if (Number.isFinite(h) && h > 0 && h <= MAX_HEIGHT) iframe.style.height = `${Math.ceil(h)}px`;
      };
      return iframe;
    }
  }

  if (!customElements.get('concurrency-playground')) {
    customElements.define('concurrency-playground', ConcurrencyPlayground);
  }
})();
