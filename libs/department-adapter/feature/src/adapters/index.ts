// Every adapter Caseline has: a folder that registers itself. A new adapter is a folder and a line here.
import './rest/rest-department-system';
