/** History and live events across two node processes on a Redis Cluster (see activity-nodes.ts). */
import { activityAcrossNodes } from './activity-nodes';

activityAcrossNodes('cluster');
