// The example portal's script: load the connector's element bundle, and show each way to use the picker.
const connector = document.querySelector('meta[name="leu-connector"]')?.content || location.origin;
const params = new URLSearchParams(location.search);
const field = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(params.get('field') ?? '') ? params.get('field') : 'custom12';
const language = params.get('lang') ?? 'en';
const show = (id, choice) => {
  document.getElementById(id).textContent = choice
    ? choice.writes.map((w) => `${w.field} = ${w.value}`).join(', ')
    : 'cancelled';
};

// The self-contained module; an app with a bundler would `import { connectPicker } from '<this package>'`.
const { connectPicker } = await import(`${connector}/embed/v1/leu-elements.js`);

// 1. The element: give it the field's address on the connector; the choice arrives as a leu-choose event.
const element = document.getElementById('element');
element.language = language;
element.source = `${connector}/embed/v1/fields/${field}`;
element.addEventListener('leu-choose', (event) => show('element-result', event.choice));
element.addEventListener('leu-close', () => show('element-result', null));

const pickerUrl = `${connector}/embed/v1/picker?${new URLSearchParams({ field, lang: language })}`;

// 2. A frame: the picker announces itself, connectPicker answers over a MessageChannel and resolves with the choice.
document.getElementById('open-frame').addEventListener('click', async () => {
  const frame = document.createElement('iframe');
  frame.title = 'Choose a project';
  frame.src = pickerUrl;
  document.getElementById('frame-slot').replaceChildren(frame);
  try {
    show('frame-result', await connectPicker(frame.contentWindow, { pickerOrigin: connector }));
  } catch (error) {
    document.getElementById('frame-result').textContent = `failed: ${error.message}`;
  } finally {
    frame.remove();
  }
});

// 3. A popup window: the same protocol, with the window that window.open returned.
document.getElementById('open-popup').addEventListener('click', async () => {
  const popup = window.open(pickerUrl, 'leu-picker', 'popup,width=400,height=480');
  if (!popup) return;
  try {
    show('popup-result', await connectPicker(popup, { pickerOrigin: connector }));
  } catch (error) {
    document.getElementById('popup-result').textContent = `failed: ${error.message}`;
  }
});
