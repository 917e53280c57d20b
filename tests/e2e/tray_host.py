#!/usr/bin/python3
"""A minimal StatusNotifier host for the end-to-end tests (Xvfb has no desktop, so no tray).

  tray_host.py watch STATE_FILE     owns org.kde.StatusNotifierWatcher on the session bus, as a
                                    desktop's panel does, and writes each registered item
                                    ({"service", "path"}) to STATE_FILE as JSON lines
  tray_host.py show STATE_FILE      prints, as JSON, every registered item: whether its bus name
                                    is still there, its Status, and its menu's labels read over
                                    com.canonical.dbusmenu (GetLayout), as a panel would
  tray_host.py click STATE_FILE LABEL
                                    sends the "clicked" event to the menu item with that label
  tray_host.py close-window WINDOW_ID
                                    asks an X window to close (WM_DELETE_WINDOW), as a window
                                    manager's close button does; Xvfb has no window manager

Needs python3-dbus and python3-gi (scripts/setup.sh --test); runs under the session bus of
scripts/with-keyring.sh.
"""
import ctypes
import json
import sys

import dbus
import dbus.service

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM = "org.kde.StatusNotifierItem"
MENU = "com.canonical.dbusmenu"


def watch(state_file):
    from dbus.mainloop.glib import DBusGMainLoop
    from gi.repository import GLib

    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    open(state_file, "w").close()

    class Watcher(dbus.service.Object):
        def __init__(self):
            super().__init__(bus, "/StatusNotifierWatcher")
            self.items = []

        @dbus.service.method(WATCHER, in_signature="s", out_signature="", sender_keyword="sender")
        def RegisterStatusNotifierItem(self, service, sender=None):
            # libappindicator passes its object path; others pass a bus name.
            path = service if service.startswith("/") else "/StatusNotifierItem"
            name = sender if service.startswith("/") else service
            self.items.append(f"{name}{path}")
            with open(state_file, "a") as f:
                f.write(json.dumps({"service": name, "path": path}) + "\n")
            self.StatusNotifierItemRegistered(f"{name}{path}")

        @dbus.service.method(WATCHER, in_signature="s", out_signature="")
        def RegisterStatusNotifierHost(self, service):
            pass

        @dbus.service.signal(WATCHER, signature="s")
        def StatusNotifierItemRegistered(self, service):
            pass

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
        def Get(self, interface, prop):
            return self.GetAll(interface)[prop]

        @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="s", out_signature="a{sv}")
        def GetAll(self, interface):
            return {
                "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
                "IsStatusNotifierHostRegistered": dbus.Boolean(True),
                "ProtocolVersion": dbus.Int32(0),
            }

    watcher = Watcher()
    # Claim the name only once the object exists, so a client that sees it can call it.
    name = dbus.service.BusName(WATCHER, bus, do_not_queue=True)
    assert watcher and name
    print("ready", flush=True)
    GLib.MainLoop().run()


def registered(state_file):
    with open(state_file) as f:
        return [json.loads(line) for line in f if line.strip()]


def labels(layout):
    """(id, label) of every item in a dbusmenu layout (id, props, children), depth first."""
    item_id, props, children = layout
    out = []
    if "label" in props and props.get("type", "standard") != "separator":
        out.append((int(item_id), str(props["label"]).replace("_", "")))
    for child in children:
        out.extend(labels(child))
    return out


def show(state_file):
    bus = dbus.SessionBus()
    items = []
    for item in registered(state_file):
        entry = {"service": item["service"], "alive": bool(bus.name_has_owner(item["service"]))}
        if entry["alive"]:
            try:
                obj = bus.get_object(item["service"], item["path"])
                props = obj.GetAll(ITEM, dbus_interface=dbus.PROPERTIES_IFACE)
                entry["status"] = str(props.get("Status", ""))
                entry["title"] = str(props.get("Title", ""))
                menu = bus.get_object(item["service"], str(props["Menu"]))
                _, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"), dbus_interface=MENU)
                entry["menu"] = [label for _, label in labels(layout)]
            except dbus.DBusException as e:
                entry["error"] = e.get_dbus_name()
        items.append(entry)
    print(json.dumps({"items": items}))


def click(state_file, wanted):
    bus = dbus.SessionBus()
    for item in reversed(registered(state_file)):
        if not bus.name_has_owner(item["service"]):
            continue
        obj = bus.get_object(item["service"], item["path"])
        menu_path = obj.Get(ITEM, "Menu", dbus_interface=dbus.PROPERTIES_IFACE)
        menu = bus.get_object(item["service"], str(menu_path))
        _, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"), dbus_interface=MENU)
        for item_id, label in labels(layout):
            if label == wanted:
                menu.Event(item_id, "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(0), dbus_interface=MENU)
                print("clicked")
                return
    sys.exit(f"no menu item labelled {wanted!r}")


class ClientMessage(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", ClientMessage), ("pad", ctypes.c_long * 24)]


def close_window(window_id):
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("no X display")
    event = XEvent()
    event.xclient.type = 33  # ClientMessage
    event.xclient.window = window_id
    event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    event.xclient.data[1] = 0  # CurrentTime
    x11.XSendEvent(display, window_id, 0, 0, ctypes.byref(event))
    x11.XFlush(display)
    x11.XCloseDisplay(display)
    print("sent")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "watch":
        watch(sys.argv[2])
    elif command == "show":
        show(sys.argv[2])
    elif command == "click":
        click(sys.argv[2], sys.argv[3])
    elif command == "close-window":
        close_window(int(sys.argv[2]))
    else:
        sys.exit(__doc__)
