// The explorer's page frame: document head with the inline stylesheet, the header nav, and the error page.
import type { Child, FC, PropsWithChildren } from "hono/jsx";
import { raw } from "hono/html";
import { EXPLORER_CSS } from "./styles";

export type Section = "trace" | "log" | "authenticity" | "verify";

const NAV: { section: Section; href: string; label: string }[] = [
  { section: "trace", href: "/", label: "Trace" },
  { section: "log", href: "/log", label: "Log" },
  { section: "authenticity", href: "/authenticity", label: "Authenticity" },
  { section: "verify", href: "/verify", label: "Verify a bundle" },
];

export const Layout: FC<PropsWithChildren<{ title: string; section?: Section }>> = ({ title, section, children }) => (
  <>
    {raw("<!DOCTYPE html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · BorderLedger`}</title>
        <style>{raw(EXPLORER_CSS)}</style>
      </head>
      <body>
        <header class="site">
          <div class="bar">
            <a class="brand" href="/">
              BorderLedger
            </a>
            <nav aria-label="Explorer">
              {NAV.map((item) => (
                <a href={item.href} aria-current={item.section === section ? "page" : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
          </div>
        </header>
        <main>{children}</main>
        <footer class="site">
          Every verdict here is computed by the same verifier as <code>borderledger verify</code>, against the chain's JSON-RPC and this node's network file.
          The HTTP API is described at <a href="/docs">/docs</a>.
        </footer>
      </body>
    </html>
  </>
);

/** A message box naming what went wrong; `code` is the error's stable code for tests and scripts. */
export const ErrorBox: FC<{ message: string; code?: string; title?: string }> = ({ message, code, title }) => (
  <div class="error" role="alert" data-error={code ?? "error"}>
    {title ? <strong>{title}</strong> : null}
    {message}
  </div>
);

/** A whole page for an error that leaves nothing else to show. */
export const ErrorPage: FC<{ status: number; message: string; code: string; section?: Section; children?: Child }> = ({
  status,
  message,
  code,
  section,
  children,
}) => (
  <Layout title={status === 404 ? "Not found" : "Error"} section={section}>
    <h1>{status === 404 ? "Not found" : status >= 500 ? "Something went wrong" : "That did not work"}</h1>
    <ErrorBox message={message} code={code} />
    {children}
    <p>
      <a href="/">Find a shipment</a> · <a href="/log">See the log</a>
    </p>
  </Layout>
);
