import { mount } from "svelte";
import App from "./App.svelte";
import { applyLanguage } from "./common/locale.svelte";
import "./app.css";

const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");

// The OS's language until the settings arrive (App applies the stored choice).
applyLanguage("system");

export default mount(App, { target });
