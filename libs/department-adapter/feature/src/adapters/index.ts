// Every adapter Caseline has: a folder that registers itself. A new adapter is a folder and a line
// here (and its controller, if it takes requests of its own).
import { EmailActionsController } from './email/email-actions.controller';
import './email/email-department-system';
import './open311/open311-department-system';
import './rest/rest-department-system';

export const ADAPTER_CONTROLLERS = [EmailActionsController];
