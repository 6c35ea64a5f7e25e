import { describe, expect, it } from 'vitest';
import { docchatFailure } from '../test-helpers/docchat-failure.ts';
import { createHtmlLoader } from './html-loader.ts';
import { loadDocument } from './load-document.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const loader = createHtmlLoader();

const article = `<!doctype html>
<html lang="en"><head><title>Falcons | Bird Site</title><style>p { color: red }</style>
<script>window.track = "pageview";</script></head>
<body>
  <header><a href="/">Bird Site</a><nav><ul><li><a href="/owls">Owls</a></li><li><a href="/hawks">Hawks</a></li>
  </ul></nav></header>
  <aside class="sidebar"><h3>Popular posts</h3><ul><li><a href="/x">Ten best binoculars</a></li></ul></aside>
  <main><article>
    <h1>Falcon habits</h1>
    <p>Falcons are birds of prey in the genus Falco, which includes about forty species. They are
      widely distributed on all continents of the world except Antarctica.</p>
    <p>Adult falcons have thin, tapered wings, which enable them to fly at high speed and change direction
      rapidly.<br>Fledgling falcons have longer flight feathers.</p>
    <h2>Diet</h2>
    <p>Most falcons hunt other birds in flight; some take small mammals, reptiles and insects as well.</p>
    <ol><li>Pigeons</li><li>Starlings</li></ol>
    <h3>Hunting at dawn</h3>
    <p>The peregrine falcon is the fastest animal on the planet when it dives, reaching over 300 km/h.</p>
  </article></main>
  <footer><p>Copyright 2026 Bird Site. Privacy policy. Contact us.</p></footer>
</body></html>`;

describe('createHtmlLoader', () => {
  it('keeps the main content and its headings, without navigation, sidebars, footers or scripts', async () => {
    const document = await loader.load({ name: 'falcons.html', data: utf8(article) });
    expect(document).toMatchObject({ source: 'falcons.html', kind: 'text', format: 'html', pages: [] });
    expect(document.title).toBe('Falcons | Bird Site');
    expect(document.text).toContain(
      'Falcons are birds of prey in the genus Falco, which includes about forty',
    );
    expect(document.text).toContain('rapidly.\nFledgling falcons');
    expect(document.text).toContain('1. Pigeons\n2. Starlings');
    for (const furniture of ['Owls', 'Hawks', 'binoculars', 'Copyright', 'pageview', 'color: red']) {
      expect(document.text).not.toContain(furniture);
    }
    expect(document.headings?.map(({ level, text }) => ({ level, text }))).toEqual([
      { level: 1, text: 'Falcon habits' },
      { level: 2, text: 'Diet' },
      { level: 3, text: 'Hunting at dawn' },
    ]);
    for (const heading of document.headings ?? []) {
      expect(document.text.slice(heading.start, heading.end)).toBe(heading.text);
    }
    expect(document.text).not.toMatch(/ {2}|\n{3}/u);
  });

  it('reads a short page without an article, still dropping its navigation', async () => {
    const page =
      '<html><head><title>Note</title></head><body><nav>Home | About</nav><p>Meet at noon.</p></body></html>';
    const document = await loader.load({ name: 'note.htm', data: utf8(page) });
    expect(document.text).toBe('Meet at noon.');
    expect(document.title).toBe('Note');
  });

  it('is chosen by extension or MIME type, and keeps <pre> text as written', async () => {
    const page = '<body><h2>Code</h2><pre>  indented\n    more</pre></body>';
    const document = await loadDocument({ name: 'upload', data: utf8(page), mimeType: 'text/html' });
    expect(document.format).toBe('html');
    expect(document.text).toContain('  indented\n    more');
  });

  it('refuses pages without text and binary data', async () => {
    const empty =
      '<html><head><title>Loading…</title><script>render()</script></head><body><div id="root"></div></body></html>';
    const error = await docchatFailure(loader.load({ name: 'app.html', data: utf8(empty) }));
    expect(error.code).toBe('empty_file');
    expect(error.message).toMatch(/no readable text/u);
    expect((await docchatFailure(loader.load({ name: 'x.html', data: new Uint8Array() }))).code).toBe(
      'empty_file',
    );
    const binary = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3, 0, 0, 0]);
    expect((await docchatFailure(loader.load({ name: 'x.html', data: binary }))).code).toBe('not_text');
  });
});
