/** History and live events across two node processes on one redis-server (see activity-nodes.ts). */
import { activityAcrossNodes } from './activity-nodes';

activityAcrossNodes('single');
