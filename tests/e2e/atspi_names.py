#!/usr/bin/python3
"""Lists the controls of the running Takeback window as screen readers see them (AT-SPI), and
which of them have no accessible name. Prints JSON: {"found": bool, "controls": [[role, name]],
"nameless": [role, ...]}. Bounded: at most 20000 nodes, depth 60. Run by atspi.e2e.mjs."""
import json
import sys

import pyatspi

CONTROL_ROLES = {
    pyatspi.ROLE_PUSH_BUTTON: "button",
    pyatspi.ROLE_TOGGLE_BUTTON: "button",
    pyatspi.ROLE_CHECK_BOX: "checkbox",
    pyatspi.ROLE_RADIO_BUTTON: "radio",
    pyatspi.ROLE_COMBO_BOX: "combobox",
    pyatspi.ROLE_ENTRY: "entry",
    pyatspi.ROLE_PASSWORD_TEXT: "password",
    pyatspi.ROLE_LINK: "link",
}


def main(app_hint: str) -> None:
    desktop = pyatspi.Registry.getDesktop(0)
    apps = [a for a in desktop if a is not None and app_hint in (a.name or "").lower()]
    out = {"found": bool(apps), "apps": [a.name for a in desktop if a is not None], "controls": [], "nameless": []}
    seen = 0
    stack = [(a, 0) for a in apps]
    while stack and seen < 20000:
        node, depth = stack.pop()
        seen += 1
        try:
            role = node.getRole()
            states = node.getState()
            if role in CONTROL_ROLES and states.contains(pyatspi.STATE_SHOWING):
                name = (node.name or "").strip()
                out["controls"].append([CONTROL_ROLES[role], name])
                if not name:
                    out["nameless"].append(CONTROL_ROLES[role])
            if depth < 60:
                stack.extend((node.getChildAtIndex(i), depth + 1) for i in range(min(node.childCount, 500)))
        except Exception:  # a node that went away while walking: skip it
            continue
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "takeback")
