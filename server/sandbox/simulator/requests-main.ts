// Boot of the sandbox's simulated Concur Request travel-request forms.
import './sim-request-list.ts';
