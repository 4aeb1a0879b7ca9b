// Warns before an edited form is left. While `dirty` is set, a navigation inside the app (a link, or the server's
// ui.navigate.to, which opens its address in this tab) is held back and reported as a "leave" event with the
// address, for the server to ask in its own dialog; closing or reloading the tab gets the browser's own warning
// (beforeunload). `release()` lets the next navigation through (the form was saved, or its changes discarded).

export default {
  template: `<span style="display: none"></span>`,
  props: {
    dirty: Boolean,
  },
  data() {
    return { released: false };
  },
  mounted() {
    const guarding = () => this.dirty && !this.released;
    const local = (address) => {
      try {
        const url = new URL(address, window.location.href);
        return url.origin === window.location.origin ? url.pathname + url.search + url.hash : null;
      } catch {
        return null;
      }
    };
    this.onClick = (e) => {
      if (!guarding() || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
        return;
      }
      const link = e.target.closest?.("a[href]");
      if (!link || (link.target && link.target !== "_self") || link.hasAttribute("download")) return;
      const path = local(link.href);
      if (path === null) return; // mailto:, tel:, another site: not a page of the app (beforeunload still asks)
      const here = window.location.pathname + window.location.search;
      if (path.startsWith(here + "#")) return; // a place on this page
      e.preventDefault();
      e.stopPropagation();
      this.$emit("leave", path);
    };
    this.onBeforeUnload = (e) => {
      if (!guarding()) return;
      e.preventDefault();
      e.returnValue = "";
    };
    this.open = window.open;
    const open = this.open;
    window.open = (address, target, ...rest) => {
      const path = target === "_self" && guarding() ? local(String(address)) : null;
      if (path === null) return open.call(window, address, target, ...rest);
      this.$emit("leave", path);
      return null;
    };
    document.addEventListener("click", this.onClick, true);
    window.addEventListener("beforeunload", this.onBeforeUnload);
  },
  unmounted() {
    document.removeEventListener("click", this.onClick, true);
    window.removeEventListener("beforeunload", this.onBeforeUnload);
    window.open = this.open;
  },
  methods: {
    release() {
      this.released = true;
    },
  },
};
