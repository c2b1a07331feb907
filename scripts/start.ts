// npm start: run a BorderLedger node (embedded chain by default; see README for the environment).
import { main } from "../api/server";

void main();
