// The description editor. People see and type plain text in which each mention reads "@Name" on a highlight;
// the value the server gets keeps each mention as `@[Name](user:ID)` (the form the access gate reads).
// Typing "@" offers the members who may be mentioned: arrows move, Enter or Tab picks, Escape closes.
//
// A plain <textarea> holds the text (so undo, paste, mobile keyboards and screen readers behave as usual); a
// backdrop behind it, laid out exactly like the textarea's text, paints the highlights. The editor keeps where
// each mention sits in the text and moves those ranges along with every edit; an edit that cuts into a mention
// makes it plain text again, and Backspace or Delete next to a mention removes it whole.
// Names are user text: they are only ever set as text ({{ }}), never as HTML.

const MENTION = /@\[([^\[\]\n]{1,200})\]\(user:(\d{1,12})\)/g;
const PARTIAL = /(?:^|\s)@([^@\n]{0,40})$/;
const LIMIT = 8;

function fold(text) {
  return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/\s+/g, " ").trim();
}

function cleanName(name, id) {
  return name.replace(/[\[\]\n]/g, " ").trim() || `user ${id}`;
}

const SHARED = "font: inherit; letter-spacing: inherit; line-height: 1.5rem; padding: 8px 0; margin: 0; border: 0;" +
  " white-space: pre-wrap; overflow-wrap: break-word; word-break: break-word; box-sizing: border-box; width: 100%;";

export default {
  template: `
    <div class="rubrica-mention-editor" style="position: relative; width: 100%">
      <q-field :label="label" stack-label outlined hide-bottom-space :error="error" :error-message="errorMessage"
               :disable="disable" class="w-full">
        <template #control>
          <div style="position: relative; width: 100%">
            <div ref="backdrop" aria-hidden="true" :style="backdropStyle"
                 class="rubrica-mention-backdrop"><template v-for="(part, i) in parts" :key="i"><span
                 v-if="part.mention" class="rubrica-mention" :style="markStyle">{{ part.text }}</span><span
                 v-else>{{ part.text }}</span></template>{{ "\\n" }}</div>
            <textarea ref="input" class="rubrica-mention-input" :style="inputStyle" rows="3"
                      :value="text" :placeholder="placeholder" :readonly="disable"
                      role="combobox" aria-autocomplete="list" :aria-expanded="open ? 'true' : 'false'"
                      :aria-activedescendant="open && candidates.length ? optionId(active) : undefined"
                      @input="onInput" @keydown="onKeydown" @keyup="onKeyup" @click="suggest"
                      @blur="close"></textarea>
          </div>
        </template>
      </q-field>
      <div v-if="open" class="rubrica-mention-options q-card" role="listbox" :style="listStyle">
        <div v-for="(member, i) in candidates" :key="member.id" :id="optionId(i)" role="option"
             :aria-selected="i === active ? 'true' : 'false'"
             :class="['rubrica-mention-option', 'q-px-md', 'q-py-xs', 'cursor-pointer',
                      i === active ? 'bg-blue-1 text-primary' : '']"
             @mousedown.prevent="pick(i)" @mousemove="active = i">@{{ member.name }}</div>
        <div v-if="!candidates.length" class="q-px-md q-py-xs text-grey-7 text-caption">{{ texts.noMatch }}</div>
        <div v-else class="q-px-md q-py-xs text-grey-6 text-caption">{{ texts.keys }}</div>
      </div>
    </div>
  `,
  props: {
    value: String,
    members: Array, // [{id, name}]: who may be mentioned, from the gate
    names: Object, // {id: name}: everyone's current name, to show existing mentions as the card does
    label: String,
    placeholder: String,
    texts: Object, // {noMatch, keys}: the list's hints, in the reader's language (from the server)
    error: Boolean,
    errorMessage: String,
    disable: Boolean,
  },
  data() {
    return {
      text: "",
      mentions: [], // [{start, end, id, name}], sorted, text.slice(start, end) === "@" + name
      open: false,
      query: null, // {start, text}: the "@..." being typed
      active: 0,
      dismissed: -1, // the start of the "@" that Escape closed the list for
      lastEmitted: null,
      backdropStyle: SHARED + " position: absolute; inset: 0; color: transparent; pointer-events: none;",
      inputStyle: SHARED + " position: relative; display: block; background: transparent; color: inherit;" +
        " resize: none; outline: none; overflow: hidden; min-height: 4.5rem;",
      markStyle: "background: #d6e9fb; border-radius: 3px; box-shadow: 0 0 0 1px #d6e9fb;",
      listStyle: "position: absolute; left: 0; top: 100%; z-index: 10; min-width: 16rem; max-width: 100%;" +
        " background: white; padding: 4px 0; margin-top: -16px;",
    };
  },
  computed: {
    parts() {
      const parts = [];
      let position = 0;
      for (const m of this.mentions) {
        if (m.start > position) parts.push({ text: this.text.slice(position, m.start) });
        parts.push({ text: this.text.slice(m.start, m.end), mention: true });
        position = m.end;
      }
      if (position < this.text.length) parts.push({ text: this.text.slice(position) });
      return parts;
    },
    candidates() {
      if (!this.query) return [];
      const wanted = fold(this.query.text);
      return (this.members || [])
        .filter((m) => {
          const name = fold(m.name);
          return !wanted || name.startsWith(wanted) || name.split(" ").some((word) => word.startsWith(wanted));
        })
        .slice(0, LIMIT);
    },
  },
  created() {
    this.load(this.value || "");
  },
  mounted() {
    this.$nextTick(this.grow);
  },
  beforeUnmount() {
    const element = mounted_app.elements[this.$el.id?.slice(1)];
    if (element) element.props.value = this.markup();
  },
  watch: {
    value(newValue) {
      if ((newValue || "") === this.lastEmitted) return;
      this.load(newValue || "");
      this.$nextTick(this.grow);
    },
  },
  methods: {
    optionId(i) {
      return `${this.$el?.id || "mention"}-option-${i}`;
    },
    load(markup) {
      let text = "";
      const mentions = [];
      let position = 0;
      for (const match of markup.matchAll(MENTION)) {
        text += markup.slice(position, match.index);
        const id = Number(match[2]);
        const name = cleanName((this.names || {})[id] || match[1], id);
        mentions.push({ start: text.length, end: text.length + 1 + name.length, id, name });
        text += "@" + name;
        position = match.index + match[0].length;
      }
      text += markup.slice(position);
      this.text = text;
      this.mentions = mentions;
      this.lastEmitted = markup;
      this.close();
    },
    markup() {
      let out = "";
      let position = 0;
      for (const m of this.mentions) {
        out += this.text.slice(position, m.start) + `@[${cleanName(m.name, m.id)}](user:${m.id})`;
        position = m.end;
      }
      return out + this.text.slice(position);
    },
    emitValue() {
      const value = this.markup();
      if (value === this.lastEmitted) return;
      this.lastEmitted = value;
      this.$emit("update:value", value);
    },
    grow() {
      const input = this.$refs.input;
      if (!input) return;
      input.style.height = "auto";
      input.style.height = input.scrollHeight + "px";
    },
    // Moves the mentions along with an edit from `before` to `after` (the caret now at `caret`).
    follow(before, after, caret) {
      let suffix = after.length - caret;
      if (suffix < 0 || suffix > before.length || before.slice(before.length - suffix) !== after.slice(caret)) {
        suffix = 0;
        const most = Math.min(before.length, after.length);
        while (suffix < most && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
      }
      let prefix = 0;
      const most = Math.min(before.length, after.length) - suffix;
      while (prefix < most && before[prefix] === after[prefix]) prefix++;
      const end = before.length - suffix;
      const shift = after.length - before.length;
      this.mentions = this.mentions
        .filter((m) => m.end <= prefix || m.start >= end)
        .map((m) => (m.end <= prefix ? m : { ...m, start: m.start + shift, end: m.end + shift }))
        .filter((m) => after.slice(m.start, m.end) === "@" + m.name);
    },
    // Replaces text[start:end] with `insert` (and `added`, a mention at its start), the caret after it.
    replace(start, end, insert, added) {
      const before = this.text;
      const after = before.slice(0, start) + insert + before.slice(end);
      const shift = insert.length - (end - start);
      this.mentions = this.mentions
        .filter((m) => m.end <= start || m.start >= end)
        .map((m) => (m.end <= start ? m : { ...m, start: m.start + shift, end: m.end + shift }));
      if (added) this.mentions.push(added);
      this.mentions.sort((a, b) => a.start - b.start);
      this.text = after;
      const input = this.$refs.input;
      input.value = after;
      const caret = start + insert.length;
      input.setSelectionRange(caret, caret);
      this.emitValue();
      this.$nextTick(this.grow);
    },
    onInput(e) {
      const after = e.target.value;
      this.follow(this.text, after, e.target.selectionEnd);
      this.text = after;
      this.emitValue();
      this.suggest();
      this.grow();
    },
    suggest() {
      const input = this.$refs.input;
      if (!input || input.selectionStart !== input.selectionEnd || this.disable) return this.close();
      const caret = input.selectionEnd;
      const inside = this.mentions.some((m) => m.start < caret && caret <= m.end);
      const match = inside ? null : PARTIAL.exec(this.text.slice(0, caret));
      if (!match) {
        this.dismissed = -1;
        return this.close();
      }
      const start = caret - match[1].length - 1;
      if (start === this.dismissed) return this.close();
      const changed = !this.query || this.query.start !== start;
      this.query = { start, text: match[1] };
      // a space in what follows "@" is a sentence going on when no name matches it any more
      this.open = this.candidates.length > 0 || !/\s/.test(match[1]);
      if (changed || this.active >= this.candidates.length) this.active = 0;
    },
    close() {
      this.open = false;
      this.query = null;
    },
    pick(i) {
      const member = this.candidates[i];
      if (!member || !this.query) return;
      const name = cleanName(member.name, member.id);
      const start = this.query.start;
      const caret = this.$refs.input.selectionEnd;
      this.close();
      this.replace(start, caret, "@" + name + " ", { start, end: start + 1 + name.length, id: member.id, name });
    },
    onKeydown(e) {
      if (e.isComposing) return;
      if (this.open) {
        const count = this.candidates.length;
        if (e.key === "Escape") {
          e.preventDefault();
          e.stopPropagation();
          this.dismissed = this.query.start;
          this.close();
          return;
        }
        if (count && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
          e.preventDefault();
          this.active = (this.active + (e.key === "ArrowDown" ? 1 : count - 1)) % count;
          return;
        }
        if (count && ((e.key === "Enter" && !e.shiftKey) || (e.key === "Tab" && !e.shiftKey))) {
          e.preventDefault();
          this.pick(this.active);
          return;
        }
      }
      const input = e.target;
      if ((e.key === "Backspace" || e.key === "Delete") && input.selectionStart === input.selectionEnd) {
        const caret = input.selectionStart;
        const whole = this.mentions.find((m) =>
          e.key === "Backspace" ? m.start < caret && caret <= m.end : m.start <= caret && caret < m.end);
        if (whole) {
          e.preventDefault();
          this.replace(whole.start, whole.end, "");
        }
      }
    },
    onKeyup(e) {
      if (["ArrowDown", "ArrowUp", "Enter", "Tab", "Escape"].includes(e.key) && this.open) return;
      if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"].includes(e.key)) {
        this.suggest();
      }
    },
  },
};
