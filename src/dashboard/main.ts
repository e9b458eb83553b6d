// The dashboard's entry: reads the connection (URL or local storage) and mounts <ew-app>; without
// a connection the app asks for the collector URL and a read key.
import './components/ew-app.ts';
import { readConnection } from './connection.ts';

const app = document.createElement('ew-app');
app.connection = readConnection();
document.body.append(app);
