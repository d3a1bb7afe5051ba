'use client';
import { Fragment, type ReactNode } from 'react';
import { Lexer, type Token, type Tokens } from 'marked';

const COMMAND_LANGUAGES = new Set(['sh', 'bash', 'shell', 'console']);

interface Props {
  text: string;
  /** A command block's button: type its text into the named node's terminal. */
  onType?(node: string, text: string): void;
  disabled?: boolean;
}

/** Only web links open; anything else is shown as text. */
const safeHref = (href: string) => /^https?:\/\//.test(href);

function inline(tokens: Token[] | undefined, key = ''): ReactNode {
  return (tokens ?? []).map((t, i) => {
    const k = `${key}${i}`;
    switch (t.type) {
      case 'strong':
        return <strong key={k}>{inline((t as Tokens.Strong).tokens, k)}</strong>;
      case 'em':
        return <em key={k}>{inline((t as Tokens.Em).tokens, k)}</em>;
      case 'codespan':
        return <code key={k}>{decode((t as Tokens.Codespan).text)}</code>;
      case 'br':
        return <br key={k} />;
      case 'link': {
        const l = t as Tokens.Link;
        return safeHref(l.href) ? (
          <a key={k} href={l.href} target="_blank" rel="noopener noreferrer">
            {inline(l.tokens, k)}
          </a>
        ) : (
          <Fragment key={k}>{inline(l.tokens, k)}</Fragment>
        );
      }
      case 'text':
        return (t as Tokens.Text).tokens ? <Fragment key={k}>{inline((t as Tokens.Text).tokens, k)}</Fragment> : <Fragment key={k}>{decode((t as Tokens.Text).text)}</Fragment>;
      case 'escape':
        return <Fragment key={k}>{(t as Tokens.Escape).text}</Fragment>;
      default:
        return <Fragment key={k}>{decode(t.raw)}</Fragment>;
    }
  });
}

function decode(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/**
 * A lesson's Markdown as React elements, from marked's tokens: no HTML is
 * ever injected (a lesson file may come from anybody with an edit link).
 * A command block gets a button that types it into its node's terminal.
 */
export default function Markdown({ text, onType, disabled }: Props) {
  const tokens = new Lexer().lex(text);
  const block = (t: Token, i: number): ReactNode => {
    switch (t.type) {
      case 'paragraph':
        return <p key={i}>{inline((t as Tokens.Paragraph).tokens)}</p>;
      case 'heading':
        return <h4 key={i}>{inline((t as Tokens.Heading).tokens)}</h4>;
      case 'list': {
        const l = t as Tokens.List;
        const items = l.items.map((item, j) => <li key={j}>{item.tokens.map((x, n) => (x.type === 'text' ? <Fragment key={n}>{inline((x as Tokens.Text).tokens ?? [x])}</Fragment> : block(x, n)))}</li>);
        return l.ordered ? <ol key={i}>{items}</ol> : <ul key={i}>{items}</ul>;
      }
      case 'blockquote':
        return <blockquote key={i}>{(t as Tokens.Blockquote).tokens.map(block)}</blockquote>;
      case 'code': {
        const c = t as Tokens.Code;
        const [lang, node = 'host'] = (c.lang ?? '').trim().split(/\s+/);
        const runnable = COMMAND_LANGUAGES.has(lang) && onType;
        return (
          <div key={i} className="lesson-code">
            {runnable && (
              <button type="button" className="btn btn-small lesson-type" disabled={disabled} onClick={() => onType!(node, c.text)} title={`Type these commands into ${node}'s terminal`}>
                ▶ Type in {node}
              </button>
            )}
            <pre>
              <code>{c.text}</code>
            </pre>
          </div>
        );
      }
      case 'hr':
        return <hr key={i} />;
      case 'space':
        return null;
      default:
        return <p key={i}>{decode(t.raw)}</p>;
    }
  };
  return <div className="markdown">{tokens.map(block)}</div>;
}
