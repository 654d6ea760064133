/**
 * Cheap, dependency-free checks a browser test runs on whatever page is showing: nothing sticks out
 * sideways (the 360 px phone), text is not tiny, and an accessibility smoke test — every control and
 * button has a name, every graphic is either hidden from assistive technology or has a text
 * alternative, references between ids resolve, and every status badge carries words and an icon so
 * colour is never the only signal. Each returns the list of problems; `expectPageSound` throws.
 */
import type { Page } from "playwright-core";

/** Elements that stick out of the viewport sideways, or a document wider than the screen. */
export async function findOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width)
      problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${width}px viewport`);
    for (const element of Array.from(document.body.querySelectorAll<HTMLElement>("*"))) {
      if (element.closest(".visually-hidden, .skip-link, svg, datalist, option, script")) continue;
      const rect = element.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      if (rect.left < -0.5 || rect.right > width + 0.5) {
        const name = `${element.tagName.toLowerCase()}${element.className ? `.${String(element.className).split(" ").join(".")}` : ""}`;
        problems.push(`${name} spans ${Math.round(rect.left)}–${Math.round(rect.right)}px of ${width}px`);
      }
    }
    return problems;
  });
}

/** Visible text smaller than `minPx` (SVG chart labels are measured as drawn, after scaling). */
export async function findTinyText(page: Page, minPx = 12): Promise<string[]> {
  return page.evaluate((min) => {
    const problems: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? "";
      const parent = node.parentElement;
      if (!text || !parent || parent.closest(".visually-hidden, script, style, title, desc")) continue;
      const rect = parent.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      // SVG text is drawn scaled with its chart: its size on screen is font size × the scale.
      const scale = parent instanceof SVGGraphicsElement ? (parent.getScreenCTM()?.a ?? 1) : 1;
      const size = Number.parseFloat(getComputedStyle(parent).fontSize) * scale;
      if (size < min - 0.5) problems.push(`"${text.slice(0, 30)}" is ${size.toFixed(1)}px`);
    }
    return problems;
  }, minPx);
}

/** The accessibility smoke check described at the top of this file. */
export async function findAccessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const text = (element: Element | null) => (element?.textContent ?? "").replace(/\s+/g, " ").trim();
    const byIds = (ids: string | null) =>
      (ids ?? "")
        .split(/\s+/)
        .filter(Boolean)
        .map((id) => document.getElementById(id));
    const describe = (element: Element) => {
      const id = element.id ? `#${element.id}` : "";
      return `<${element.tagName.toLowerCase()}${id}> "${text(element).slice(0, 40)}"`;
    };
    const hasName = (element: Element): boolean => {
      if ((element.getAttribute("aria-label") ?? "").trim()) return true;
      const labelledBy = element.getAttribute("aria-labelledby");
      if (labelledBy) return byIds(labelledBy).some((label) => label && text(label) !== "");
      if (element instanceof HTMLInputElement || element instanceof HTMLSelectElement) {
        if (Array.from(element.labels ?? []).some((label) => text(label) !== "")) return true;
      }
      if (element instanceof HTMLTextAreaElement) {
        if (Array.from(element.labels ?? []).some((label) => text(label) !== "")) return true;
      }
      return false;
    };

    if (!document.documentElement.lang) problems.push("<html> has no lang");
    if (!document.title.trim()) problems.push("the document has no title");
    const h1s = document.querySelectorAll("h1");
    if (h1s.length !== 1) problems.push(`${h1s.length} <h1> elements (want exactly one)`);

    const seen = new Set<string>();
    for (const element of Array.from(document.querySelectorAll("[id]"))) {
      if (seen.has(element.id)) problems.push(`duplicate id "${element.id}"`);
      seen.add(element.id);
    }
    for (const attribute of ["aria-labelledby", "aria-describedby", "aria-controls"]) {
      for (const element of Array.from(document.querySelectorAll(`[${attribute}]`))) {
        byIds(element.getAttribute(attribute)).forEach((target, i) => {
          if (!target) {
            const id = (element.getAttribute(attribute) ?? "").split(/\s+/).filter(Boolean)[i];
            problems.push(`${describe(element)} ${attribute} points at missing #${id}`);
          }
        });
      }
    }

    for (const control of Array.from(document.querySelectorAll("input, select, textarea"))) {
      if (control instanceof HTMLInputElement && control.type === "hidden") continue;
      if (!hasName(control)) problems.push(`form control ${describe(control)} has no label`);
    }
    for (const button of Array.from(document.querySelectorAll("button, [role=button]"))) {
      if (text(button) === "" && !hasName(button)) problems.push(`button ${describe(button)} has no name`);
    }
    for (const link of Array.from(document.querySelectorAll("a[href]"))) {
      if (text(link) === "" && !hasName(link)) problems.push(`link ${describe(link)} has no name`);
    }
    for (const image of Array.from(document.querySelectorAll("img"))) {
      if (!image.hasAttribute("alt")) problems.push(`<img src="${image.getAttribute("src")}"> has no alt`);
    }
    for (const svg of Array.from(document.querySelectorAll("svg"))) {
      if (svg.parentElement?.closest("svg")) continue;
      if (svg.getAttribute("aria-hidden") === "true") continue;
      const titled = text(svg.querySelector(":scope > title")) !== "";
      if (svg.getAttribute("role") !== "img" || !(hasName(svg) || titled))
        problems.push(`<svg class="${svg.getAttribute("class")}"> is neither hidden nor a named image`);
    }
    // Colour is never the only signal: every badge, toast and result says it in words, with an icon.
    for (const signal of Array.from(document.querySelectorAll(".badge, .toast, .pay-result"))) {
      if (text(signal) === "") problems.push(`${signal.className} has no words`);
      if (!signal.querySelector("svg.tone-icon")) problems.push(`${signal.className} has no icon`);
    }
    return problems;
  });
}

/**
 * Whether the focused element shows a focus indicator: an outline at least 2 px wide that is not
 * transparent (the app's `:focus-visible` style), or a box shadow.
 */
export async function focusIsVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return false;
    const style = getComputedStyle(element);
    const outline =
      style.outlineStyle !== "none" &&
      Number.parseFloat(style.outlineWidth) >= 2 &&
      !/rgba\(.*,\s*0\)$/.test(style.outlineColor);
    return outline || style.boxShadow !== "none";
  });
}

/** Runs every check above on the page as it is now; throws listing all problems, labelled `where`. */
export async function expectPageSound(page: Page, where: string): Promise<void> {
  const problems = [
    ...(await findOverflow(page)).map((p) => `overflow: ${p}`),
    ...(await findTinyText(page)).map((p) => `tiny text: ${p}`),
    ...(await findAccessibilityProblems(page)).map((p) => `a11y: ${p}`),
  ];
  if (problems.length > 0) throw new Error(`${where}:\n  ${problems.join("\n  ")}`);
}
